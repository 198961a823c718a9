// Whole-file writes through a temporary file and a rename (base/atomic_file.h).
#include "base/atomic_file.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "base/errors.h"

namespace qarray {

void write_file_atomic(const std::string& path, const std::string& bytes) {
  const auto fail = [&](const std::string& why) { return InputError("cannot write '" + path + "': " + why); };
  // Unique per process and call, so concurrent writers (sweep workers, threads) never share one.
  static std::atomic<unsigned> serial{0};
  const std::string tmp = path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(serial++);
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) throw fail(std::strerror(errno));
  const bool written = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  const int write_errno = errno;
  if (std::fclose(f) != 0 || !written) {
    const std::string why = std::strerror(written ? errno : write_errno);
    std::remove(tmp.c_str());
    throw fail(why);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(tmp.c_str());
    throw fail(why);
  }
}

}  // namespace qarray
