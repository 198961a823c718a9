// Typed errors thrown by every qarray library. Libraries never print or exit: the CLI catches
// these, prints the one-line message and returns a non-zero status.
#pragma once
#include <stdexcept>
#include <string>

namespace qarray {

// Base of every error qarray reports to a user.
struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A file, flag or value supplied by the user is wrong (missing, malformed, out of range).
// The message names the file, key, node or value.
struct InputError : Error {
  using Error::Error;
};

// A valid input that uses something qarray does not implement (an ONNX op, an attribute value).
struct UnsupportedError : Error {
  using Error::Error;
};

}  // namespace qarray
