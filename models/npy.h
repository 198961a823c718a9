// NumPy .npy files (format versions 1.0, 2.0 and 3.0): the header read and checked, the data
// read in row ranges on demand (a data set need not fit in memory).
//
// Format: the magic "\x93NUMPY", a major and a minor version byte, the header length (2 bytes
// little-endian in 1.0, 4 bytes in 2.0/3.0), then the header, a Python dict literal
//   {'descr': '<f4', 'fortran_order': False, 'shape': (10, 3, 32, 32), }
// padded with spaces and a newline, then the array in C order.
//
// Contract: read_npy_header() accepts a C-order array whose data is exactly as long as its shape
// and dtype say, and throws InputError "<file>: <what>" (one line) for anything else. The dtypes
// the readers accept are named by the caller (npy_dtype_name() spells them).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "models/tensor.h"

namespace qarray {

struct NpyHeader {
  std::string path;
  std::string descr;         // the dtype as written: "|u1", "<f4", "<i8", ...
  bool fortran_order = false;
  Shape shape;               // () is a 0-d array
  int64_t item_bytes = 0;    // from descr
  int64_t data_offset = 0;   // bytes before the array

  int64_t count() const { return num_elements(shape); }
  int64_t row_bytes() const;  // one index of the first dimension
};

// Reads and checks the header of `path` (InputError naming the file for a missing file, a bad
// magic, an unreadable header, Fortran order, or a data size that does not match the shape).
NpyHeader read_npy_header(const std::string& path);

// Reads rows [begin, end) of the first dimension as raw bytes (InputError if the file changed).
std::vector<uint8_t> read_npy_rows(const NpyHeader& h, int64_t begin, int64_t end);

// "uint8 ('|u1')" for the dtypes qarray knows, else "'<descr>'".
std::string npy_dtype_name(const std::string& descr);

// Writes a C-order .npy file (version 1.0) of `data` with dtype `descr` ("|u1", "<f4", "<i8",
// ...) and `shape`; for tests and tools. Throws Error if the file cannot be written.
void write_npy(const std::string& path, const std::string& descr, const Shape& shape, const void* data,
               size_t bytes);

}  // namespace qarray
