// `qarray sweep GRID_FILE [--out DIR] [--jobs N] [--retry-errors]`: every design point of a grid
// (explore/sweep_grid.h) evaluated (explore/sweep_point.h), one row per point in DIR/points.csv
// (explore/sweep_table.h). This file is the process pool and the printing.
//
// Work is shared between points: FP32 accuracy is evaluated once, each (weight bits, act bits,
// PTQ method) is quantized and evaluated once (independent of the array), in this process and
// on all cores. SystemC elaborates once per process, so each point's simulation (INT design and
// its FP32 twin) runs in a forked child, N at a time; this process never runs SystemC. A child
// sends its result's cells back as a JSON object of strings over a pipe; the table is rewritten
// atomically after every point.
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <thread>

#include "app/commands.h"
#include "app/report.h"
#include "base/errors.h"
#include "explore/sweep_grid.h"
#include "explore/sweep_point.h"
#include "explore/sweep_table.h"
#include "workloads/evaluate.h"
#include "workloads/pipeline.h"

namespace qarray::cli {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;
using namespace qarray::explore;

struct SweepFlags {
  std::string grid;
  std::string out = "out/sweep";
  int jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  bool retry_errors = false;
};

std::string fixed(double v, int digits) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// A forked child's end of the work: never returns.
[[noreturn]] void child_main(int fd, const QuantizedGroup& q, const Dataset& test, int64_t sim_images,
                             const ArchConfig& arch, const EnergyTable& table) {
  // SystemC's own chatter goes to stdout; the sweep's stdout is its table.
  if (FILE* null = std::fopen("/dev/null", "w")) dup2(fileno(null), STDOUT_FILENO);
  PointResult r;
  try {
    r = run_point(q, test, sim_images, arch, table);
  } catch (const std::exception& e) {
    r = failed_point(std::string("internal error: ") + e.what());
  }
  std::string text = json(result_cells(r)).dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > 60000) text = json(result_cells(failed_point("result too long"))).dump();
  for (size_t done = 0; done < text.size();) {
    const ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n <= 0) _exit(3);
    done += n;
  }
  close(fd);
  _exit(0);
}

struct Running {
  size_t point;  // index into the pending list
  int fd;
  Clock::time_point start;
};

// Forks the child that simulates point p; returns its pid and the read end of its result pipe.
std::pair<pid_t, int> start_child(const QuantizedGroup& q, const Dataset& test, int64_t sim_images,
                                  const ArchConfig& arch, const EnergyTable& table) {
  int fds[2];
  if (pipe(fds) != 0) throw Error(std::string("pipe: ") + std::strerror(errno));
  std::fflush(nullptr);  // nothing buffered is written twice
  const pid_t pid = fork();
  if (pid < 0) throw Error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    close(fds[0]);
    child_main(fds[1], q, test, sim_images, arch, table);
  }
  close(fds[1]);
  return {pid, fds[0]};
}

// The result cells of a reaped child, or an error result if it died or sent nothing readable.
SweepRow child_result(int fd, int status) {
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) text.append(buf, n);
  close(fd);
  if (WIFSIGNALED(status))
    return result_cells(failed_point(std::string("worker killed by signal ") + strsignal(WTERMSIG(status))));
  const json cells = json::parse(text, nullptr, false);  // a discarded value when not JSON
  bool readable = WIFEXITED(status) && WEXITSTATUS(status) == 0 && cells.is_object();
  SweepRow row;
  for (auto it = cells.begin(); readable && it != cells.end(); ++it) {
    readable = it->is_string();
    if (readable) row[it.key()] = it->get<std::string>();
  }
  if (!readable)
    return result_cells(failed_point("worker exited with status " + std::to_string(WEXITSTATUS(status))));
  return row;
}

void print_table(const SweepGrid& g, const SweepTable& t) {
  const std::vector<SweepPoint> points = sweep_points(g);
  size_t w = 5;
  int top1 = 7;  // "not measured" (synthetic data) widens the column
  for (const SweepPoint& p : points) {
    w = std::max(w, p.id().size());
    const SweepRow* r = t.find(point_key(g, p));
    if (r && r->count("int_top1") && r->at("int_top1") == kNotMeasured) top1 = 12;
  }
  std::printf("%-*s %-6s %*s %9s %10s %6s %10s %10s %9s\n", static_cast<int>(w), "point", "status", top1, "top1 %",
              "cycles", "latency us", "util%", "energy uJ", "FP32 uJ", "area mm2");
  auto cell = [](const SweepRow& r, const char* c) {
    auto it = r.find(c);
    return it == r.end() || it->second.empty() ? std::string("-") : it->second;
  };
  auto fmt = [&](const SweepRow& r, const char* c, const char* f) {
    const std::string s = cell(r, c);
    if (s == "-" || s == kNotMeasured) return s;
    char buf[32];
    std::snprintf(buf, sizeof buf, f, std::stod(s) * (std::string(c) == "utilization" ? 100.0 : 1.0));
    return std::string(buf);
  };
  for (const SweepPoint& p : points) {
    const SweepRow* r = t.find(point_key(g, p));
    if (!r) continue;
    std::printf("%-*s %-6s %*s %9s %10s %6s %10s %10s %9s\n", static_cast<int>(w), p.id().c_str(),
                cell(*r, "status").c_str(), top1, fmt(*r, "int_top1", "%.2f").c_str(), cell(*r, "cycles").c_str(),
                fmt(*r, "latency_us", "%.3f").c_str(), fmt(*r, "utilization", "%.2f").c_str(),
                fmt(*r, "energy_uj", "%.3f").c_str(), fmt(*r, "fp32_energy_uj", "%.3f").c_str(),
                fmt(*r, "area_mm2", "%.4f").c_str());
  }
}

// Quantizes and evaluates every group of the pending points (printing each), in grid order.
std::map<QuantKey, QuantizedGroup> quantize_groups(const SweepGrid& g, const SweepInputs& in, const EvalOptions& eval,
                                                   const std::vector<SweepPoint>& pending, double fp32_top1,
                                                   int threads) {
  const bool measured = in.accuracy_measured();
  std::map<QuantKey, QuantizedGroup> quantized;
  if (pending.empty()) return quantized;
  const Tensor calib = calibration_images(in.train, g.calib_images);
  for (const QuantKey& key : quant_groups(pending)) {
    const auto t0 = Clock::now();
    const QuantizedGroup& q = quantized[key] =
        quantize_group(in.graph, calib, in.test, eval, key, g.base.acc_bits, threads);
    std::fprintf(stderr, "quantized W%dA%d %s: %s (%.1f s)\n", key.weight_bits, key.act_bits, key.method.c_str(),
                 !q.error.empty() ? q.error.c_str()
                 : measured      ? ("INT top-1 " + fixed(q.int_top1, 2) + " % (FP32 " + fixed(fp32_top1, 2) + " %)").c_str()
                                 : "accuracy not measured (synthetic data)",
                 std::chrono::duration<double>(Clock::now() - t0).count());
  }
  return quantized;
}

int sweep(const SweepFlags& f) {
  // Everything that can be wrong with the input is found before anything is written.
  const SweepGrid g = load_sweep_grid(f.grid);
  check_output_dir(f.out, "--out");
  const SweepInputs in = load_sweep_inputs(g);
  const std::string csv = f.out + "/points.csv";
  SweepTable table = read_sweep_table(csv);
  const size_t kept = table.rows.size();  // rows of earlier runs keep their place

  const size_t total = sweep_points(g).size();
  const std::vector<SweepPoint> pending = pending_points(g, table, f.retry_errors);
  std::fprintf(stderr, "sweep %s: %zu points, %zu done in %s, %zu to run on %d worker(s)\n", f.grid.c_str(),
               total, total - pending.size(), csv.c_str(), pending.size(), f.jobs);
  std::filesystem::create_directories(f.out);

  EvalOptions eval;
  eval.images = in.accuracy_measured() ? g.eval_images : 0;  // synthetic: golden on the sim_images samples
  eval.threads = f.jobs;
  const double fp32_top1 = pending.empty() || !in.accuracy_measured()
                               ? 0.0
                               : evaluate_fp32(in.graph, in.test, eval).top1_percent();
  const std::map<QuantKey, QuantizedGroup> quantized = quantize_groups(g, in, eval, pending, fp32_top1, f.jobs);

  size_t next = 0, finished = 0, failed = 0;
  std::map<pid_t, Running> running;
  auto finish = [&](const SweepPoint& p, const SweepRow& result, double seconds) {
    const QuantizedGroup& q = quantized.at(quant_key(p));
    PointRecord record;
    record.grid = &g;
    record.point = &p;
    record.fp32_top1 = fp32_top1;
    if (q.error.empty()) record.int_top1 = q.int_top1;
    record.accuracy_not_measured = !in.accuracy_measured();
    record.seconds = seconds;
    SweepRow row = sweep_row(record);
    for (const auto& [column, text] : result) row[column] = text;
    table.put(row);
    write_sweep_table(csv, table);
    ++finished;
    const bool ok = row["status"] == "ok";
    failed += !ok;
    const double energy_uj = row["energy_uj"].empty() ? 0.0 : std::stod(row["energy_uj"]);
    std::fprintf(stderr, "[%*zu/%zu] %s %s\n", static_cast<int>(std::to_string(pending.size()).size()), finished,
                 pending.size(), p.id().c_str(),
                 ok ? ("ok: " + row["cycles"] + " cycles, " + fixed(energy_uj, 3) + " uJ, " +
                       fixed(seconds, 2) + " s")
                          .c_str()
                    : ("error: " + row["error"]).c_str());
  };
  while (next < pending.size() || !running.empty()) {
    while (next < pending.size() && static_cast<int>(running.size()) < f.jobs) {
      const SweepPoint& p = pending[next];
      const QuantizedGroup& q = quantized.at(quant_key(p));
      if (!q.error.empty()) {
        finish(p, result_cells(failed_point(q.error)), 0.0);
        ++next;
        continue;
      }
      const auto [pid, fd] = start_child(q, in.test, g.sim_images, point_arch(g, p), in.tables.at(p.energy_table));
      running[pid] = {next++, fd, Clock::now()};
    }
    if (running.empty()) break;
    // A child writes its few hundred bytes and exits; read until EOF after it is reaped.
    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) throw Error(std::string("waitpid: ") + std::strerror(errno));
    auto it = running.find(pid);
    if (it == running.end()) continue;
    const Running job = it->second;
    running.erase(it);
    finish(pending[job.point], child_result(job.fd, status),
           std::chrono::duration<double>(Clock::now() - job.start).count());
  }
  sort_in_grid_order(table, kept, g);
  if (finished) write_sweep_table(csv, table);
  print_table(g, table);
  std::cout << "table: " << csv << "\n";
  if (failed) {
    std::fprintf(stderr, "qarray sweep: %zu of %zu point(s) failed (status=error in %s)\n", failed,
                 pending.size(), csv.c_str());
    return 1;
  }
  return 0;
}

}  // namespace

Action add_sweep(CLI::App& app) {
  auto f = std::make_shared<SweepFlags>();
  app.add_option("grid", f->grid, "Grid file (JSON; docs/cli.md \"Sweeps and plots\" documents the keys)")->required();
  app.add_option("--out", f->out, "Output directory (points.csv)")->capture_default_str();
  app.add_option("--jobs", f->jobs, "Points simulated at once (one process each); quantization threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  app.add_flag("--retry-errors", f->retry_errors, "Run again the points whose row has status=error");
  return [f] { return sweep(*f); };
}

}  // namespace qarray::cli
