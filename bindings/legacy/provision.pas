{ provision.pas: the flat API from Free Pascal (external 'cloud_elements', cdecl).
  Build: fpc -Fl<libdir> provision.pas. The base URL comes from CE_BASE_URL.

  Provisions with options (an idempotency key, retries, a timeout), finds the instance again by
  its key, handles a token buffer that is too small (CE_ERR_BUFFER_TOO_SMALL, the size needed
  from ce_last_error_field('needed'), no instance left behind), then deprovisions. Exits 1 on any
  failure. }
program provision;

{$mode objfpc}{$H+}

uses SysUtils;

const
  LIB = 'cloud_elements';
  { ce_status values: 32-bit integers, fixed. }
  CE_OK = 0;
  CE_ERR_NOT_FOUND = 4;
  CE_ERR_BUFFER_TOO_SMALL = 9;

function ce_provision_ex(base_url, user_secret, org_secret, instance_json, options_json: PChar;
  token_buf: PChar; token_buf_len: SizeUInt; instance_id: PInt64;
  error_buf: PChar; error_buf_len: SizeUInt): Int32; cdecl; external LIB;
function ce_find_instance(base_url, user_secret, org_secret, idempotency_key: PChar;
  token_buf: PChar; token_buf_len: SizeUInt; instance_id: PInt64;
  error_buf: PChar; error_buf_len: SizeUInt): Int32; cdecl; external LIB;
function ce_deprovision(base_url, user_secret, org_secret: PChar; instance_id: Int64;
  error_buf: PChar; error_buf_len: SizeUInt): Int32; cdecl; external LIB;
function ce_last_error_field(field: PChar; buf: PChar; buf_len: SizeUInt): Int32; cdecl; external LIB;
procedure ce_flat_reset; cdecl; external LIB;

const
  USER = 'sandbox-user-secret';
  ORG = 'sandbox-organization-secret';
  INSTANCE = '{"element":{"key":"closeio"},"name":"Pascal",' +
    '"configuration":{"username":"KEY","password":"PW"}}';

var
  Url: AnsiString;
  Token, Again: array[0..255] of Char;
  Small: array[0..7] of Char;
  Error: array[0..511] of Char;
  Field: array[0..31] of Char;
  Id, Found, Second: Int64;
  Status: Int32;
  Needed: Integer;
  Failures: Integer = 0;

procedure Expect(Condition: Boolean; const What: string);
begin
  if not Condition then
  begin
    WriteLn('FAILED: ', What, ' (', PChar(@Error[0]), ')');
    Inc(Failures);
  end;
end;

begin
  Url := GetEnvironmentVariable('CE_BASE_URL');
  if Url = '' then
  begin
    WriteLn('CE_BASE_URL is not set');
    Halt(2);
  end;

  { Provision with options. Pascal AnsiStrings are NUL-terminated: PChar(s) passes them as is. }
  Status := ce_provision_ex(PChar(Url), USER, ORG, INSTANCE,
    '{"idempotency_key":"pascal-1","retries":3,"timeout_ms":10000,"connect_timeout_ms":2000}',
    @Token[0], SizeOf(Token), @Id, @Error[0], SizeOf(Error));
  Expect(Status = CE_OK, 'provision');
  Expect((Id > 0) and (StrLen(@Token[0]) > 20), 'an id and a token');
  WriteLn('provisioned ', Id);

  { Find it again by its key. }
  Status := ce_find_instance(PChar(Url), USER, ORG, 'pascal-1', @Again[0], SizeOf(Again), @Found,
    @Error[0], SizeOf(Error));
  Expect((Status = CE_OK) and (Found = Id) and (StrComp(@Token[0], @Again[0]) = 0), 'find by key');

  { Too small a token buffer: the status says so, the field says how many bytes, and the instance
    this call created is deleted again. }
  Status := ce_provision_ex(PChar(Url), USER, ORG, INSTANCE, '{"idempotency_key":"pascal-2"}',
    @Small[0], SizeOf(Small), @Second, @Error[0], SizeOf(Error));
  Expect(Status = CE_ERR_BUFFER_TOO_SMALL, 'CE_ERR_BUFFER_TOO_SMALL');
  Expect(ce_last_error_field('needed', @Field[0], SizeOf(Field)) = CE_OK, 'the needed field');
  Needed := StrToIntDef(PChar(@Field[0]), 0);
  WriteLn('a token needs ', Needed, ' bytes: ', PChar(@Error[0]));
  Expect(Needed = Integer(StrLen(@Token[0])) + 1, 'needed = token length + 1');
  Expect(Second = 0, 'no id on failure');
  Status := ce_find_instance(PChar(Url), USER, ORG, 'pascal-2', @Again[0], SizeOf(Again), @Found,
    @Error[0], SizeOf(Error));
  Expect(Status = CE_ERR_NOT_FOUND, 'no instance left behind');
  { Again with a buffer of the size needed. }
  Status := ce_provision_ex(PChar(Url), USER, ORG, INSTANCE, '{"idempotency_key":"pascal-2"}',
    @Again[0], Needed, @Second, @Error[0], SizeOf(Error));
  Expect((Status = CE_OK) and (Second > 0), 'provision with the size needed');

  Expect(ce_deprovision(PChar(Url), USER, ORG, Id, @Error[0], SizeOf(Error)) = CE_OK, 'deprovision');
  Expect(ce_deprovision(PChar(Url), USER, ORG, Second, @Error[0], SizeOf(Error)) = CE_OK, 'deprovision 2');
  Status := ce_find_instance(PChar(Url), USER, ORG, 'pascal-1', @Again[0], SizeOf(Again), @Found,
    @Error[0], SizeOf(Error));
  Expect(Status = CE_ERR_NOT_FOUND, 'gone after deprovision');
  ce_flat_reset;

  if Failures > 0 then
  begin
    WriteLn(Failures, ' failed');
    Halt(1);
  end;
  WriteLn('pascal: all passed');
end.
