// Whole-file writes that never leave a half-written file: the bytes go to a temporary file
// beside the target (same file system), which is then renamed over it.
#pragma once
#include <string>

namespace qarray {

// Writes `bytes` to `path` (its folder must exist). On any failure the temporary file is removed,
// `path` is left as it was, and InputError "cannot write '<path>': <reason>" is thrown.
void write_file_atomic(const std::string& path, const std::string& bytes);

}  // namespace qarray
