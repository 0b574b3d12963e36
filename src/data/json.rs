//! Loader placeholder, replaced by the real loader.
use super::FileData;
use crate::diag::{Code, Diagnostic, FileId};

pub(super) fn load(file: FileId, _stem: &str, _text: &str) -> Result<FileData, Diagnostic> {
    Err(Diagnostic::error(Code::Unreadable, "loader not built").in_file(file))
}
