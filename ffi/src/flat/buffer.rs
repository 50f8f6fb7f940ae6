//! Writing text into a caller's buffer: NUL-terminated, or padded with spaces (`"pad": "spaces"`).

use std::ffi::c_char;

/// How text is laid out in a caller's buffer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Pad {
    /// C strings: the text, then a NUL; bytes after the NUL are left alone.
    #[default]
    Nul,
    /// COBOL `PIC X(n)`, Fortran `CHARACTER(len=n)`: the text, then spaces up to the buffer's
    /// length; no NUL.
    Spaces,
}

impl Pad {
    /// The bytes a buffer needs to hold `text` whole.
    pub(crate) fn needed(self, text: &str) -> usize {
        match self {
            Pad::Nul => text.len() + 1,
            Pad::Spaces => text.len(),
        }
    }
}

/// Copies as much of `text` as fits into `buf` (cut on a character boundary) and NUL-terminates
/// it; returns whether all of it fit. Writes nothing when `buf` is NULL or `len` is 0.
///
/// # Safety
/// `buf` is NULL or writable for `len` bytes.
pub(crate) unsafe fn write_c(buf: *mut c_char, len: usize, text: &str) -> bool {
    unsafe { write_text(buf, len, text, Pad::Nul) }
}

/// Copies as much of `text` as fits into `buf` (cut on a character boundary), laid out as `pad`
/// says; returns whether all of it fit. Writes nothing when `buf` is NULL or `len` is 0 (and
/// then only `""` with [`Pad::Spaces`] "fits"). Never writes past `len`.
///
/// # Safety
/// `buf` is NULL or writable for `len` bytes.
pub(crate) unsafe fn write_text(buf: *mut c_char, len: usize, text: &str, pad: Pad) -> bool {
    if buf.is_null() || len == 0 {
        return pad == Pad::Spaces && text.is_empty();
    }
    let room = match pad {
        Pad::Nul => len - 1,
        Pad::Spaces => len,
    };
    let mut n = text.len().min(room);
    while !text.is_char_boundary(n) {
        n -= 1;
    }
    // SAFETY: every byte written is below `len`, inside the caller's buffer, which the source does
    // not overlap.
    unsafe {
        std::ptr::copy_nonoverlapping(text.as_ptr(), buf.cast::<u8>(), n);
        match pad {
            Pad::Nul => *buf.add(n) = 0,
            Pad::Spaces => std::ptr::write_bytes(buf.add(n).cast::<u8>(), b' ', len - n),
        }
    }
    n == text.len()
}
