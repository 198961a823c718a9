// `qarray plot [--report out/run/report.json] [--sweep out/sweep/points.csv] --out DIR`: renders
// the figures of plots/qarray_plots.py (matplotlib, run by /usr/bin/python3, the interpreter
// that sees Debian's python3-matplotlib; QARRAY_PYTHON overrides it) from report files only.
// The script is the one of the source tree this binary was built from.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "app/commands.h"
#include "app/report.h"
#include "base/errors.h"

extern char** environ;

namespace qarray::cli {
namespace {

struct PlotFlags {
  std::string report;
  std::string sweep;
  std::string out = "out/plots";
};

std::string plot_script() { return std::string(QARRAY_SOURCE_DIR) + "/plots/qarray_plots.py"; }

int plot(const PlotFlags& f) {
  if (f.report.empty() && f.sweep.empty()) throw InputError("qarray plot: give --report, --sweep or both");
  for (const std::string* p : {&f.report, &f.sweep})
    if (std::error_code ec; !p->empty() && !std::filesystem::is_regular_file(*p, ec)) throw InputError(*p + ": no such file");
  check_output_dir(f.out, "--out");
  const char* env = std::getenv("QARRAY_PYTHON");
  const std::string python = env && *env ? env : "/usr/bin/python3";
  if (access(python.c_str(), X_OK) != 0)
    throw InputError(python + ": not found (install python3-matplotlib: scripts/setup)");
  const std::string script = plot_script();
  if (!std::filesystem::is_regular_file(script)) throw InputError(script + ": plot script not found");
  std::vector<std::string> args = {python, script, "--out", f.out};
  if (!f.report.empty()) args.insert(args.end(), {"--report", f.report});
  if (!f.sweep.empty()) args.insert(args.end(), {"--sweep", f.sweep});
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::cout.flush();
  pid_t pid = 0;
  if (const int e = posix_spawn(&pid, python.c_str(), nullptr, nullptr, argv.data(), environ))
    throw InputError(python + ": cannot run (" + std::strerror(e) + ")");
  int status = 0;
  if (waitpid(pid, &status, 0) < 0) throw Error(std::string("waitpid: ") + std::strerror(errno));
  // The script prints its own one-line "qarray plot: error: ..." and the figures it wrote.
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

}  // namespace

Action add_plot(CLI::App& app) {
  auto f = std::make_shared<PlotFlags>();
  app.add_option("--report", f->report, "Run report (report.json of `qarray run`)");
  app.add_option("--sweep", f->sweep, "Sweep table (points.csv of `qarray sweep`)");
  app.add_option("--out", f->out, "Output directory of the PNG files")->capture_default_str();
  return [f] { return plot(*f); };
}

}  // namespace qarray::cli
