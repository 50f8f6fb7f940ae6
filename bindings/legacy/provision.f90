! provision.f90: provision an instance, then deprovision it, from Fortran 2008 (ISO_C_BINDING).
! Build: gfortran provision.f90 -lcloud_elements. The base URL comes from CE_BASE_URL.
!
! Inputs are NUL-terminated with // c_null_char; outputs are CHARACTER(len=n) buffers that the
! library fills with spaces to their length ("pad": "spaces"), so trim() gives the text.
program provision
    use, intrinsic :: iso_c_binding, only: c_char, c_int32_t, c_int64_t, c_size_t, c_null_char
    implicit none

    interface
        ! int32_t ce_provision_ex(const char *base_url, const char *user_secret, const char *org_secret,
        !     const char *instance_json, const char *options_json, char *token_buf, size_t token_buf_len,
        !     int64_t *instance_id, char *error_buf, size_t error_buf_len)
        function ce_provision_ex(base_url, user_secret, org_secret, instance_json, options_json, &
                                 token_buf, token_buf_len, instance_id, error_buf, error_buf_len) &
                bind(c, name='ce_provision_ex') result(status)
            import :: c_char, c_int32_t, c_int64_t, c_size_t
            character(kind=c_char), dimension(*), intent(in) :: base_url, user_secret, org_secret
            character(kind=c_char), dimension(*), intent(in) :: instance_json, options_json
            character(kind=c_char), dimension(*), intent(out) :: token_buf, error_buf
            integer(c_size_t), value :: token_buf_len, error_buf_len
            integer(c_int64_t), intent(out) :: instance_id
            integer(c_int32_t) :: status
        end function
        ! int32_t ce_deprovision(const char *base_url, const char *user_secret, const char *org_secret,
        !     int64_t instance_id, char *error_buf, size_t error_buf_len)
        function ce_deprovision(base_url, user_secret, org_secret, instance_id, error_buf, error_buf_len) &
                bind(c, name='ce_deprovision') result(status)
            import :: c_char, c_int32_t, c_int64_t, c_size_t
            character(kind=c_char), dimension(*), intent(in) :: base_url, user_secret, org_secret
            integer(c_int64_t), value :: instance_id
            character(kind=c_char), dimension(*), intent(out) :: error_buf
            integer(c_size_t), value :: error_buf_len
            integer(c_int32_t) :: status
        end function
        subroutine ce_flat_reset() bind(c, name='ce_flat_reset')
        end subroutine
    end interface

    integer(c_int32_t), parameter :: CE_OK = 0, CE_ERR_NOT_FOUND = 4
    character(len=200) :: url
    character(kind=c_char, len=64) :: token
    character(kind=c_char, len=300) :: error
    integer(c_int64_t) :: id
    integer(c_int32_t) :: status
    integer :: length, failures

    failures = 0
    call get_environment_variable('CE_BASE_URL', url, length)
    if (length == 0) stop 'CE_BASE_URL is not set'

    token = '#'
    status = ce_provision_ex(trim(url) // c_null_char, 'sandbox-user-secret' // c_null_char, &
        'sandbox-organization-secret' // c_null_char, &
        '{"element":{"key":"closeio"},"name":"Fortran",' // &
        '"configuration":{"username":"KEY","password":"PW"}}' // c_null_char, &
        '{"pad":"spaces","timeout_ms":10000,"idempotency_key":"fortran-1"}' // c_null_char, &
        token, len(token, kind=c_size_t), id, error, len(error, kind=c_size_t))
    call expect(status == CE_OK, 'provision: ' // trim(error))
    call expect(id > 0, 'an instance id')
    call expect(len_trim(token) > 20, 'a token')
    ! Padded, not NUL-terminated: no NUL anywhere, spaces after the token, and an empty message.
    call expect(index(token, c_null_char) == 0 .and. token(64:64) == ' ', 'token padded with spaces')
    call expect(len_trim(error) == 0 .and. index(error, c_null_char) == 0, 'error padded with spaces')
    print '(a, i0, a, a)', 'provisioned instance ', id, ' token ', trim(token)

    status = ce_deprovision(trim(url) // c_null_char, 'sandbox-user-secret' // c_null_char, &
        'sandbox-organization-secret' // c_null_char, id, error, len(error, kind=c_size_t))
    call expect(status == CE_OK, 'deprovision: ' // trim(error))
    ! Again: gone. The message fills the buffer, padded with spaces (the thread's padding).
    status = ce_deprovision(trim(url) // c_null_char, 'sandbox-user-secret' // c_null_char, &
        'sandbox-organization-secret' // c_null_char, id, error, len(error, kind=c_size_t))
    call expect(status == CE_ERR_NOT_FOUND, 'deprovision twice is CE_ERR_NOT_FOUND')
    call expect(len_trim(error) > 0 .and. index(error, c_null_char) == 0, 'a padded message')
    print '(a, a)', 'second deprovision: ', trim(error)
    call ce_flat_reset()

    if (failures > 0) then
        print '(i0, a)', failures, ' failed'
        error stop 1
    end if
    print '(a)', 'fortran: all passed'

contains
    subroutine expect(condition, what)
        logical, intent(in) :: condition
        character(len=*), intent(in) :: what
        if (.not. condition) then
            print '(a, a)', 'FAILED: ', what
            failures = failures + 1
        end if
    end subroutine
end program
