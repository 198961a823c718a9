// On-demand RTL variants of `qarray cosim`: configure, build and reuse them (app/cosim_ondemand.h).
#include "app/cosim_ondemand.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "base/errors.h"
#include "sim/cosim/rtl_params.h"
#include "sim/cosim/variants.h"

namespace qarray::cli {
namespace fs = std::filesystem;
namespace {

// The build this qarray comes from (compile definitions set by app/CMakeLists.txt).
struct BuildInfo {
  const char* source_dir = QARRAY_SOURCE_DIR;
  const char* binary_dir = QARRAY_BINARY_DIR;
  const char* cmake = QARRAY_CMAKE_COMMAND;
  const char* compiler = QARRAY_CXX_COMPILER;
  const char* launcher = QARRAY_CXX_COMPILER_LAUNCHER;
  const char* build_type = QARRAY_BUILD_TYPE;
  const char* native = QARRAY_NATIVE_FLAG;
};

fs::path cache_root() {
  const char* env = std::getenv("QARRAY_COSIM_CACHE");
  return env && *env ? fs::path(env) : fs::path(BuildInfo{}.binary_dir) / "cosim-variants";
}

std::string key_of(const ArchConfig& a, int64_t depth, const std::string& format) {
  return "rtl" + std::to_string(a.rows) + "x" + std::to_string(a.cols) + "_" + dataflow_name(a.dataflow) + "_w" +
         std::to_string(a.weight_bits) + "a" + std::to_string(a.act_bits) + "_acc" + std::to_string(a.acc_bits) +
         "_d" + std::to_string(depth) + "_" + format;
}

bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "";
  size_t pos = 0;
  while (pos <= dirs.size()) {
    const size_t colon = std::min(dirs.find(':', pos), dirs.size());
    const fs::path candidate = fs::path(dirs.substr(pos, colon - pos)) / program;
    if (colon > pos && ::access(candidate.c_str(), X_OK) == 0) return true;
    pos = colon + 1;
  }
  return false;
}

// Runs argv with stdout and stderr appended to `log`; returns the exit status (or 128 + signal).
int run_logged(const std::vector<std::string>& args, const fs::path& log) {
  const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw InputError(log.string() + ": cannot write (" + std::strerror(errno) + ")");
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    std::fprintf(stderr, "cannot run %s: %s\n", argv[0], std::strerror(errno));
    ::_exit(127);
  }
  ::close(fd);
  if (pid < 0) throw InputError(std::string("cannot start ") + args[0] + ": " + std::strerror(errno));
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Holds an exclusive lock on a file while alive (concurrent qarray processes build one folder once).
class FileLock {
 public:
  explicit FileLock(const fs::path& path) : fd_(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644)) {
    if (fd_ < 0) throw InputError(path.string() + ": cannot create the lock file (" + std::strerror(errno) + ")");
    while (::flock(fd_, LOCK_EX) < 0 && errno == EINTR) {
    }
  }
  ~FileLock() { ::close(fd_); }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_;
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// "; the last on-demand build here took N s" from <cache>/build_seconds.txt ("key seconds" lines).
std::string previous_build_note(const fs::path& root) {
  std::ifstream f(root / "build_seconds.txt");
  std::string key, last;
  double s = 0, last_s = 0;
  while (f >> key >> s) last = key, last_s = s;
  if (last.empty()) return "";
  return "; the last on-demand build here (" + last + ") took " + std::to_string(static_cast<int>(last_s + 0.5)) + " s";
}

fs::file_time_type mtime_or_min(const fs::path& p) {
  std::error_code ec;
  const auto t = fs::last_write_time(p, ec);
  return ec ? fs::file_time_type::min() : t;
}

void configure_and_build(const ArchConfig& arch, const std::string& arch_file, const std::string& key,
                         const std::string& format, const fs::path& dir, const fs::path& log) {
  const BuildInfo b;
  // The variant's own ArchConfig file: its stem names the variant, its contents are the user's.
  const fs::path variant_file = dir / (key + ".json");
  std::error_code ec;
  fs::create_directories(dir, ec);
  fs::copy_file(arch_file, variant_file, fs::copy_options::overwrite_existing, ec);
  if (ec) throw InputError(variant_file.string() + ": cannot copy " + arch_file + " (" + ec.message() + ")");
  std::vector<std::string> configure{b.cmake, "-S", std::string(b.source_dir) + "/sim/cosim/ondemand", "-B",
                                     dir.string(), std::string("-DCMAKE_BUILD_TYPE=") + b.build_type,
                                     std::string("-DCMAKE_CXX_COMPILER=") + b.compiler,
                                     std::string("-DQARRAY_SOURCE_DIR=") + b.source_dir,
                                     std::string("-DQARRAY_BINARY_DIR=") + b.binary_dir,
                                     "-DQARRAY_VARIANT_FILE=" + variant_file.string(),
                                     std::string("-DQARRAY_VARIANT_TRACE=") + (format == "fst" ? "FST" : "VCD"),
                                     std::string("-DQARRAY_NATIVE=") + b.native};
  if (*b.launcher) configure.push_back(std::string("-DCMAKE_CXX_COMPILER_LAUNCHER=") + b.launcher);
  const std::string what = "verilating " + rtl_array_name(arch) + " on demand";
  if (const int rc = run_logged(configure, log))
    throw InputError(what + ": configuring failed (exit " + std::to_string(rc) + "); log: " + log.string());
  const unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
  if (const int rc = run_logged({b.cmake, "--build", dir.string(), "-j", std::to_string(jobs)}, log))
    throw InputError(what + ": the build failed (exit " + std::to_string(rc) + "); log: " + log.string());
}

}  // namespace

OnDemandVariant ondemand_variant(const ArchConfig& arch, const std::string& arch_file, const std::string& trace_format,
                                 const std::function<void(const std::string&)>& progress) {
  const BuildInfo b;
  const int64_t depth = rtl_accumulator_depth(arch);  // InputError for an FP32 arch
  const fs::path root = cache_root();
  std::string format = trace_format;
  if (format.empty())  // no trace asked for: any cached build of the arch will do
    format = fs::exists(root / key_of(arch, depth, "fst") / "qarray") && !fs::exists(root / key_of(arch, depth, "vcd") / "qarray")
                 ? "fst"
                 : "vcd";
  OnDemandVariant v;
  v.key = key_of(arch, depth, format);
  const fs::path dir = root / v.key;
  const fs::path exe = dir / "qarray";
  v.executable = exe.string();
  // Before anything is written: the tools a first build needs.
  if (!fs::exists(exe) && !on_path("verilator"))
    throw InputError("arch '" + arch.name + "' (" + rtl_array_name(arch) +
                     ") needs an RTL variant verilated on demand, but verilator is not on PATH (Debian: apt-get "
                     "install verilator)");
  if (::access(b.cmake, X_OK) != 0)
    throw InputError(std::string("verilating on demand needs cmake, not found at ") + b.cmake);
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) throw InputError(root.string() + ": cannot create the on-demand RTL cache (" + ec.message() + ")");
  const FileLock lock(root / (v.key + ".lock"));
  const fs::path log = root / (v.key + ".log");
  const auto t0 = std::chrono::steady_clock::now();
  if (fs::exists(exe)) {
    // Up to date with this qarray's libraries and rtl/*.v (a no-op when nothing changed).
    const auto before = mtime_or_min(exe);
    fs::remove(log, ec);
    if (const int rc = run_logged({b.cmake, "--build", dir.string()}, log))
      throw InputError("updating the on-demand RTL build " + dir.string() + " failed (exit " + std::to_string(rc) +
                       "); log: " + log.string());
    if (mtime_or_min(exe) != before)
      progress("qarray cosim: rebuilt the on-demand RTL variant " + v.key + " (qarray or rtl/ changed) in " +
               std::to_string(static_cast<int>(seconds_since(t0) + 0.5)) + " s");
    return v;
  }
  progress("qarray cosim: verilating " + rtl_array_name(arch) + " (accumulator depth " + std::to_string(depth) + ", " +
           (format == "fst" ? "FST" : "VCD") + " trace) on demand, once" + previous_build_note(root) + "; cache " +
           dir.string());
  fs::remove(log, ec);
  try {
    configure_and_build(arch, arch_file, v.key, format, dir, log);
  } catch (const Error&) {
    fs::remove_all(dir, ec);  // nothing half-built stays behind; the log does
    throw;
  }
  const double seconds = seconds_since(t0);
  std::ofstream(root / "build_seconds.txt", std::ios::app) << v.key << " " << seconds << "\n";
  progress("qarray cosim: built " + exe.string() + " in " + std::to_string(static_cast<int>(seconds + 0.5)) +
           " s (reused from now on)");
  return v;
}

std::string compiled_variants_executable(const std::function<void(const std::string&)>& progress) {
  const BuildInfo b;
  const fs::path exe = fs::path(b.binary_dir) / "app" / "qarray-rtl";
  if (::access(b.cmake, X_OK) != 0)
    throw InputError(std::string("building the compiled RTL variants needs cmake, not found at ") + b.cmake);
  const FileLock lock(exe.string() + ".lock");
  const fs::path log = exe.string() + ".build.log";
  std::error_code ec;
  fs::remove(log, ec);
  const bool first = !fs::exists(exe);
  if (first)
    progress("qarray cosim: building " + exe.string() + " once: the qarray CLI with the compiled RTL variants of " +
             b.source_dir + "/sim/cosim/variants/ (verilated; several minutes; scripts/test builds it too)");
  const auto t0 = std::chrono::steady_clock::now();
  const unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
  if (const int rc = run_logged({b.cmake, "--build", b.binary_dir, "--target", "qarray-rtl", "-j", std::to_string(jobs)}, log))
    throw InputError("building the compiled RTL variants (" + exe.string() + ") failed (exit " + std::to_string(rc) +
                     "); log: " + log.string());
  if (first)
    progress("qarray cosim: built " + exe.string() + " in " + std::to_string(static_cast<int>(seconds_since(t0) + 0.5)) +
             " s (reused from now on)");
  return exe.string();
}

}  // namespace qarray::cli
