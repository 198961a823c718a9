// NumPy .npy header parsing and row reads (models/npy.h).
#include "models/npy.h"

#include <cctype>
#include <cstring>
#include <fstream>
#include <map>

#include "base/atomic_file.h"
#include "base/errors.h"

namespace qarray {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr int64_t kMaxHeaderBytes = 1 << 20;

[[noreturn]] void fail(const std::string& path, const std::string& what) { throw InputError(path + ": " + what); }

// The header dict literal, e.g. {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }.
class DictParser {
 public:
  DictParser(const std::string& text, const std::string& path) : s_(text), path_(path) {}

  void parse(NpyHeader& h) {
    expect('{');
    std::map<std::string, bool> seen;
    while (true) {
      skip();
      if (peek() == '}') break;
      const std::string key = string_literal();
      expect(':');
      if (key == "descr") {
        h.descr = string_literal();
      } else if (key == "fortran_order") {
        h.fortran_order = boolean();
      } else if (key == "shape") {
        h.shape = tuple();
      } else {
        fail(path_, "unknown header key '" + key + "' (a .npy header holds descr, fortran_order, shape)");
      }
      seen[key] = true;
      skip();
      if (peek() == ',') ++pos_;
    }
    for (const char* key : {"descr", "fortran_order", "shape"})
      if (!seen.count(key)) fail(path_, std::string("the .npy header has no '") + key + "'");
  }

 private:
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  void skip() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  [[noreturn]] void bad() const {
    fail(path_, "unreadable .npy header at byte " + std::to_string(pos_) + ": " + s_.substr(0, 80));
  }
  void expect(char c) {
    skip();
    if (peek() != c) bad();
    ++pos_;
  }
  std::string string_literal() {
    skip();
    const char q = peek();
    if (q != '\'' && q != '"') bad();
    const size_t end = s_.find(q, pos_ + 1);
    if (end == std::string::npos) bad();
    std::string out = s_.substr(pos_ + 1, end - pos_ - 1);
    pos_ = end + 1;
    return out;
  }
  bool boolean() {
    skip();
    if (s_.compare(pos_, 4, "True") == 0) return pos_ += 4, true;
    if (s_.compare(pos_, 5, "False") == 0) return pos_ += 5, false;
    bad();
  }
  Shape tuple() {
    expect('(');
    Shape shape;
    while (true) {
      skip();
      if (peek() == ')') break;
      if (!std::isdigit(static_cast<unsigned char>(peek()))) bad();
      int64_t v = 0;
      while (std::isdigit(static_cast<unsigned char>(peek()))) {
        if (v > (int64_t{1} << 50)) fail(path_, "a dimension of the .npy shape is too large");
        v = v * 10 + (s_[pos_++] - '0');
      }
      if (peek() == 'L') ++pos_;  // Python 2 long
      shape.push_back(v);
      skip();
      if (peek() == ',') ++pos_;
      else if (peek() != ')') bad();
    }
    ++pos_;
    return shape;
  }

  const std::string& s_;
  const std::string& path_;
  size_t pos_ = 0;
};

// Bytes of one element of dtype `descr` ("<f4" -> 4), 0 if not a fixed-size number type.
int64_t item_bytes(const std::string& descr) {
  if (descr.size() < 3 || std::string("<>|=").find(descr[0]) == std::string::npos) return 0;
  if (std::string("biuf").find(descr[1]) == std::string::npos) return 0;
  int64_t n = 0;
  for (size_t i = 2; i < descr.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(descr[i])) || n > 64) return 0;
    n = n * 10 + (descr[i] - '0');
  }
  return n;
}

}  // namespace

int64_t NpyHeader::row_bytes() const {
  if (shape.empty()) return item_bytes;
  return num_elements(Shape(shape.begin() + 1, shape.end())) * item_bytes;
}

NpyHeader read_npy_header(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "cannot open the .npy file");
  char pre[10] = {};
  in.read(pre, sizeof pre);
  if (in.gcount() < 8 || std::memcmp(pre, kMagic, 6) != 0) fail(path, "not a .npy file (no \\x93NUMPY magic)");
  const int major = static_cast<unsigned char>(pre[6]);
  if (major < 1 || major > 3)
    fail(path, "unsupported .npy format version " + std::to_string(major) + "." +
                   std::to_string(static_cast<unsigned char>(pre[7])) + " (1.0, 2.0 and 3.0 are read)");
  int64_t header_len = 0;
  int64_t prefix = 0;
  if (major == 1) {
    if (in.gcount() < 10) fail(path, "truncated .npy header");
    header_len = static_cast<unsigned char>(pre[8]) | (static_cast<unsigned char>(pre[9]) << 8);
    prefix = 10;
  } else {
    char more[2];
    in.read(more, 2);
    if (in.gcount() < 2) fail(path, "truncated .npy header");
    const unsigned char b[4] = {static_cast<unsigned char>(pre[8]), static_cast<unsigned char>(pre[9]),
                                static_cast<unsigned char>(more[0]), static_cast<unsigned char>(more[1])};
    header_len = int64_t{b[0]} | (int64_t{b[1]} << 8) | (int64_t{b[2]} << 16) | (int64_t{b[3]} << 24);
    prefix = 12;
  }
  if (header_len <= 0 || header_len > kMaxHeaderBytes) fail(path, "implausible .npy header length " + std::to_string(header_len));
  std::string text(static_cast<size_t>(header_len), '\0');
  in.read(text.data(), header_len);
  if (in.gcount() < header_len) fail(path, "truncated .npy header");
  NpyHeader h;
  h.path = path;
  DictParser(text, path).parse(h);
  h.item_bytes = item_bytes(h.descr);
  if (h.item_bytes == 0) fail(path, "dtype " + npy_dtype_name(h.descr) + " is not a number type qarray reads");
  if (h.fortran_order) fail(path, "the array is in Fortran order; save it in C order (numpy.ascontiguousarray)");
  h.data_offset = prefix + header_len;
  in.seekg(0, std::ios::end);
  const int64_t size = static_cast<int64_t>(in.tellg());
  const int64_t want = h.data_offset + h.count() * h.item_bytes;
  if (size != want)
    fail(path, "holds " + std::to_string(size - h.data_offset) + " data bytes; shape " + shape_str(h.shape) + " of " +
                   npy_dtype_name(h.descr) + " needs " + std::to_string(want - h.data_offset));
  return h;
}

std::vector<uint8_t> read_npy_rows(const NpyHeader& h, int64_t begin, int64_t end) {
  const int64_t row = h.row_bytes();
  std::vector<uint8_t> out(static_cast<size_t>((end - begin) * row));
  std::ifstream in(h.path, std::ios::binary);
  in.seekg(h.data_offset + begin * row);
  in.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(out.size()));
  if (!in || in.gcount() != static_cast<std::streamsize>(out.size()))
    fail(h.path, "cannot read rows [" + std::to_string(begin) + ", " + std::to_string(end) + ") (did the file change?)");
  return out;
}

std::string npy_dtype_name(const std::string& descr) {
  static const std::map<std::string, std::string> names = {
      {"|u1", "uint8"},   {"|i1", "int8"},    {"<u2", "uint16"},  {"<i2", "int16"},   {"<u4", "uint32"},
      {"<i4", "int32"},   {"<u8", "uint64"},  {"<i8", "int64"},   {"<f2", "float16"}, {"<f4", "float32"},
      {"<f8", "float64"}, {"|b1", "bool"},    {">f4", "big-endian float32"}, {">i8", "big-endian int64"}};
  auto it = names.find(descr);
  return it == names.end() ? "'" + descr + "'" : it->second + " ('" + descr + "')";
}

void write_npy(const std::string& path, const std::string& descr, const Shape& shape, const void* data, size_t bytes) {
  std::string dims;  // "2, 3"; a 1-d shape is written "5," as Python writes a 1-tuple
  for (size_t i = 0; i < shape.size(); ++i) dims += (i ? ", " : "") + std::to_string(shape[i]);
  if (shape.size() == 1) dims += ",";
  std::string header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
  const size_t unpadded = 10 + header.size() + 1;
  header += std::string((64 - unpadded % 64) % 64, ' ') + "\n";
  std::string out(kMagic, 6);
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  out += header;
  out.append(static_cast<const char*>(data), bytes);
  write_file_atomic(path, out);
}

}  // namespace qarray
