*> batch.cob: a batch job in GnuCOBOL (free format: cobc -x -free batch.cob -lcloud_elements).
*>
*> Reads fixed-width records from batch-input.dat:
*>   columns   1-10  element key        PIC X(10)
*>   columns  11-30  instance name      PIC X(20)
*>   columns  31-50  idempotency key    PIC X(20)
*>   columns 51-200  configuration      PIC X(150), JSON members: "username":"...","password":"..."
*> provisions each with ce_provision_ex (its idempotency key from the record, "pad":"spaces" so
*> that the outputs fill PIC X fields), and writes one record per input record to batch-output.dat:
*> the key, OK or ERR, the instance id and the token. Run again, it gets the same ids back. A
*> record the platform cannot take (missing entries) is reported with ce_last_error_field.
*> The base URL is taken from the environment variable CE_BASE_URL.
IDENTIFICATION DIVISION.
PROGRAM-ID. batch.

ENVIRONMENT DIVISION.
INPUT-OUTPUT SECTION.
FILE-CONTROL.
    SELECT in-file ASSIGN TO "batch-input.dat" ORGANIZATION IS LINE SEQUENTIAL.
    SELECT out-file ASSIGN TO "batch-output.dat" ORGANIZATION IS LINE SEQUENTIAL.

DATA DIVISION.
FILE SECTION.
FD in-file.
01 in-record.
   05 in-element        PIC X(10).
   05 in-name           PIC X(20).
   05 in-key            PIC X(20).
   05 in-configuration  PIC X(150).
FD out-file.
01 out-record.
   05 out-key           PIC X(20).
   05 FILLER            PIC X.
   05 out-result        PIC X(3).
   05 FILLER            PIC X.
   05 out-id            PIC 9(12).
   05 FILLER            PIC X.
   05 out-token         PIC X(64).

WORKING-STORAGE SECTION.
01 ws-eof               PIC X VALUE "N".
01 ws-url               PIC X(200).
01 ws-url-z             PIC X(201).
*> NUL-terminated inputs, built with STRING ... X"00".
01 ws-instance-json     PIC X(400).
01 ws-options-json      PIC X(100).
*> Outputs: the library pads them with spaces to their length (no NUL).
01 ws-token             PIC X(64).
01 ws-token-len         USAGE BINARY-DOUBLE UNSIGNED VALUE 64.
01 ws-id                USAGE BINARY-DOUBLE VALUE 0.
01 ws-error             PIC X(200).
01 ws-error-len         USAGE BINARY-DOUBLE UNSIGNED VALUE 200.
01 ws-missing           PIC X(200).
01 ws-missing-len       USAGE BINARY-DOUBLE UNSIGNED VALUE 200.
*> ce_status: a 32-bit integer.
01 ws-status            USAGE BINARY-LONG VALUE 0.
01 ws-field-status      USAGE BINARY-LONG VALUE 0.
01 ws-provisioned       PIC 9(4) VALUE 0.
01 ws-failed            PIC 9(4) VALUE 0.

PROCEDURE DIVISION.
main-para.
    ACCEPT ws-url FROM ENVIRONMENT "CE_BASE_URL"
    IF ws-url = SPACES
        DISPLAY "CE_BASE_URL is not set"
        MOVE 2 TO RETURN-CODE
        STOP RUN
    END-IF
    STRING FUNCTION TRIM(ws-url) DELIMITED BY SIZE X"00" DELIMITED BY SIZE INTO ws-url-z
    OPEN INPUT in-file OUTPUT out-file
    PERFORM UNTIL ws-eof = "Y"
        READ in-file
            AT END MOVE "Y" TO ws-eof
            NOT AT END PERFORM provision-record
        END-READ
    END-PERFORM
    CLOSE in-file out-file
    CALL "ce_flat_reset"
    DISPLAY "SUMMARY " ws-provisioned " PROVISIONED " ws-failed " FAILED"
    *> The one record with missing entries is expected; anything else is a failure.
    IF ws-failed = 1
        MOVE 0 TO RETURN-CODE
    ELSE
        MOVE 1 TO RETURN-CODE
    END-IF
    STOP RUN.

provision-record.
    MOVE SPACES TO ws-instance-json ws-options-json
    STRING '{"element":{"key":"' DELIMITED BY SIZE
           FUNCTION TRIM(in-element) DELIMITED BY SIZE
           '"},"name":"' DELIMITED BY SIZE
           FUNCTION TRIM(in-name) DELIMITED BY SIZE
           '","configuration":{' DELIMITED BY SIZE
           FUNCTION TRIM(in-configuration) DELIMITED BY SIZE
           '}}' DELIMITED BY SIZE
           X"00" DELIMITED BY SIZE
        INTO ws-instance-json
    STRING '{"idempotency_key":"' DELIMITED BY SIZE
           FUNCTION TRIM(in-key) DELIMITED BY SIZE
           '","pad":"spaces","retries":2}' DELIMITED BY SIZE
           X"00" DELIMITED BY SIZE
        INTO ws-options-json
    CALL "ce_provision_ex" USING
        BY REFERENCE ws-url-z
        BY CONTENT Z"sandbox-user-secret"
        BY CONTENT Z"sandbox-organization-secret"
        BY REFERENCE ws-instance-json
        BY REFERENCE ws-options-json
        BY REFERENCE ws-token
        BY VALUE ws-token-len
        BY REFERENCE ws-id
        BY REFERENCE ws-error
        BY VALUE ws-error-len
        RETURNING ws-status
    END-CALL
    MOVE SPACES TO out-record
    MOVE in-key TO out-key
    IF ws-status = 0
        ADD 1 TO ws-provisioned
        MOVE "OK" TO out-result
        MOVE ws-id TO out-id
        MOVE ws-token TO out-token
        DISPLAY "PROVISIONED " FUNCTION TRIM(in-key) " ID " ws-id
    ELSE
        ADD 1 TO ws-failed
        MOVE "ERR" TO out-result
        MOVE 0 TO out-id
        DISPLAY "FAILED " FUNCTION TRIM(in-key) " STATUS " ws-status ": " FUNCTION TRIM(ws-error)
        *> Status 2 is CE_ERR_MISSING_CONFIGURATION: the entries, comma separated, space padded.
        IF ws-status = 2
            CALL "ce_last_error_field" USING
                BY CONTENT Z"missing"
                BY REFERENCE ws-missing
                BY VALUE ws-missing-len
                RETURNING ws-field-status
            END-CALL
            DISPLAY "MISSING: " FUNCTION TRIM(ws-missing)
        END-IF
    END-IF
    WRITE out-record.
