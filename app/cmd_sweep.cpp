// `qarray sweep GRID_FILE [--out DIR] [--jobs N] [--retry-errors]`: every design point of a grid
// (app/sweep_grid.h) priced on the cycle model and the energy tables, one row per point in
// DIR/points.csv (app/sweep_table.h).
//
// Work is shared between points: FP32 accuracy is evaluated once, each (weight bits, act bits,
// PTQ method) is quantized and evaluated once (independent of the array), in this process and
// on all cores. SystemC elaborates once per process, so each point's simulation (INT design and
// its FP32 twin) runs in a forked child, N at a time; this process never runs SystemC. A child
// sends its row back as JSON over a pipe; the table is rewritten atomically after every point.
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <thread>
#include <tuple>

#include "app/commands.h"
#include "app/energy_report.h"
#include "app/report.h"
#include "app/sim_output.h"
#include "app/sweep_grid.h"
#include "app/sweep_table.h"
#include "energy/energy_model.h"
#include "energy/energy_table.h"
#include "base/errors.h"
#include "models/onnx_loader.h"
#include "workloads/evaluate.h"
#include "workloads/pipeline.h"
#include "workloads/ptq_pipeline.h"

namespace qarray::cli {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

struct SweepFlags {
  std::string grid;
  std::string out = "out/sweep";
  int jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  bool retry_errors = false;
};

std::string num(double v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::string fixed(double v, int digits) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// One quantization of the model, shared by every point with its bit-widths and method.
struct Quantized {
  Network net;
  double int_top1 = 0.0;
  std::vector<uint8_t> predictions;  // golden's, checked against the cycle model's
  std::string error;                 // quantization failed: every point of the group fails with it
};

using QuantKey = std::tuple<int32_t, int32_t, std::string>;

// The simulation and pricing of one point (runs in a child process). Returns the result
// columns; an INT design that runs but whose FP32 twin does not keeps its INT columns.
json run_point(const Quantized& q, const Dataset& test, int64_t sim_images, const ArchConfig& arch,
               const EnergyTable& table) {
  json r;
  const SimImages s = simulate_images(q.net, test, sim_images, q.predictions, arch);
  const PricedDesign d = price_design(q.net, arch, s.layers, table);
  const double pe_cycles = static_cast<double>(d.cycles) * arch.rows * arch.cols;
  int64_t dram = 0, stalls = 0;
  for (const LayerCounters& k : s.layers) dram += k.dram_read_bytes + k.dram_write_bytes, stalls += k.stall_cycles;
  r["status"] = "ok";
  r["cycles"] = d.cycles;
  r["latency_us"] = d.cycles / arch.clock_mhz;
  r["utilization"] = d.cycles ? d.macs / pe_cycles : 0.0;
  r["energy_uj"] = d.total.total_pj() / 1e6;
  r["area_mm2"] = d.area.total_mm2;
  r["pj_per_mac"] = d.macs ? d.total.total_pj() / d.macs : 0.0;
  r["node"] = table.node;
  r["macs"] = d.macs;
  r["stall_cycles"] = stalls;
  r["dram_bytes"] = dram;
  r["pe_area_um2"] = d.area.pe_um2;
  r["mac_uj"] = d.total.mac_pj / 1e6;
  r["register_uj"] = d.total.register_pj / 1e6;
  r["sram_uj"] = (d.total.ifmap_sram_pj + d.total.weight_sram_pj + d.total.ofmap_sram_pj) / 1e6;
  r["dram_uj"] = d.total.dram_pj / 1e6;
  try {
    const ArchConfig twin = fp32_twin(arch);
    const SimImages f = simulate_twin(q.net, test, twin);
    const PricedDesign fp = price_design(q.net, twin, f.layers, table);
    int64_t fdram = 0;
    for (const LayerCounters& k : f.layers) fdram += k.dram_read_bytes + k.dram_write_bytes;
    r["fp32_cycles"] = fp.cycles;
    r["fp32_latency_us"] = fp.cycles / twin.clock_mhz;
    r["fp32_utilization"] = fp.cycles ? fp.macs / (static_cast<double>(fp.cycles) * twin.rows * twin.cols) : 0.0;
    r["fp32_energy_uj"] = fp.total.total_pj() / 1e6;
    r["fp32_pj_per_mac"] = fp.macs ? fp.total.total_pj() / fp.macs : 0.0;
    r["fp32_dram_bytes"] = fdram;
    r["fp32_area_mm2"] = fp.area.total_mm2;
    r["fp32_pe_area_um2"] = fp.area.pe_um2;
  } catch (const Error& e) {
    r["status"] = "error";
    r["error"] = e.what();
  }
  return r;
}

// A forked child's end of the work: never returns.
[[noreturn]] void child_main(int fd, const Quantized& q, const Dataset& test, int64_t sim_images,
                             const ArchConfig& arch, const EnergyTable& table) {
  // SystemC's own chatter goes to stdout; the sweep's stdout is its table.
  if (FILE* null = std::fopen("/dev/null", "w")) dup2(fileno(null), STDOUT_FILENO);
  json r;
  try {
    r = run_point(q, test, sim_images, arch, table);
  } catch (const Error& e) {
    r = {{"status", "error"}, {"error", e.what()}};
  } catch (const std::exception& e) {
    r = {{"status", "error"}, {"error", std::string("internal error: ") + e.what()}};
  }
  std::string text = r.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > 60000) text = json{{"status", "error"}, {"error", "result too long"}}.dump();
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

std::string one_line(std::string s) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  std::replace(s.begin(), s.end(), '\r', ' ');
  return s;
}

SweepRow param_row(const SweepGrid& g, const SweepPoint& p) {
  return {{"point", p.id()},
          {"model", g.model},
          {"rows", std::to_string(p.rows)},
          {"cols", std::to_string(p.cols)},
          {"dataflow", dataflow_name(p.dataflow)},
          {"weight_bits", std::to_string(p.weight_bits)},
          {"act_bits", std::to_string(p.act_bits)},
          {"method", p.method},
          {"ifmap_kib", std::to_string(p.ifmap_kib)},
          {"weight_kib", std::to_string(p.weight_kib)},
          {"ofmap_kib", std::to_string(p.ofmap_kib)},
          {"dram_bytes_per_cycle", num(p.dram_bytes_per_cycle)},
          {"energy_table", p.energy_table},
          {"arch", g.arch},
          {"acc_bits", std::to_string(g.base.acc_bits)},
          {"clock_mhz", num(g.base.clock_mhz)},
          {"eval_images", std::to_string(g.eval_images)},
          {"calib_images", std::to_string(g.calib_images)},
          {"sim_images", std::to_string(g.sim_images)}};
}

// Quantizes the model to the point's widths and method and evaluates it with the integer golden
// executor; a failure is kept as the group's error (its points fail with it, the sweep goes on).
Quantized quantize(const Graph& graph, const Tensor& calib, const Dataset& test, const EvalOptions& eval,
                   const SweepPoint& p, int32_t acc_bits, int threads) {
  Quantized q;
  try {
    PtqOptions opt;
    opt.method = parse_ptq_method(p.method);
    opt.spec.weight_bits = p.weight_bits;
    opt.spec.act_bits = p.act_bits;
    opt.spec.acc_bits = acc_bits;
    opt.threads = threads;
    validate(opt);
    PtqResult r = quantize_ptq(graph, calib, opt);
    const EvalResult e = evaluate_golden(r.network, test, eval);
    q.net = std::move(r.network);
    q.int_top1 = e.top1_percent();
    q.predictions = e.predictions;
  } catch (const Error& e) {
    q.error = "quantization: " + one_line(e.what());
  }
  return q;
}

// Forks the child that simulates point p; returns its pid and the read end of its result pipe.
std::pair<pid_t, int> start_child(const Quantized& q, const Dataset& test, int64_t sim_images, const ArchConfig& arch,
                                  const EnergyTable& table) {
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

// The result of a reaped child: its JSON, or an error row if it died or sent nothing readable.
json child_result(int fd, int status) {
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) text.append(buf, n);
  close(fd);
  if (WIFSIGNALED(status))
    return {{"status", "error"}, {"error", std::string("worker killed by signal ") + strsignal(WTERMSIG(status))}};
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !json::accept(text))
    return {{"status", "error"}, {"error", "worker exited with status " + std::to_string(WEXITSTATUS(status))}};
  return json::parse(text);
}

void print_table(const SweepGrid& g, const SweepTable& t) {
  const std::vector<SweepPoint> points = sweep_points(g);
  size_t w = 5;
  for (const SweepPoint& p : points) w = std::max(w, p.id().size());
  std::printf("%-*s %-6s %7s %9s %10s %6s %10s %10s %9s\n", static_cast<int>(w), "point", "status", "top1 %",
              "cycles", "latency us", "util%", "energy uJ", "FP32 uJ", "area mm2");
  auto cell = [](const SweepRow& r, const char* c) {
    auto it = r.find(c);
    return it == r.end() || it->second.empty() ? std::string("-") : it->second;
  };
  auto fmt = [&](const SweepRow& r, const char* c, const char* f) {
    const std::string s = cell(r, c);
    if (s == "-") return s;
    char buf[32];
    std::snprintf(buf, sizeof buf, f, std::stod(s) * (std::string(c) == "utilization" ? 100.0 : 1.0));
    return std::string(buf);
  };
  for (const SweepPoint& p : points) {
    const SweepRow* r = t.find(sweep_key(param_row(g, p)));
    if (!r) continue;
    std::printf("%-*s %-6s %7s %9s %10s %6s %10s %10s %9s\n", static_cast<int>(w), p.id().c_str(),
                cell(*r, "status").c_str(), fmt(*r, "int_top1", "%.2f").c_str(), cell(*r, "cycles").c_str(),
                fmt(*r, "latency_us", "%.3f").c_str(), fmt(*r, "utilization", "%.2f").c_str(),
                fmt(*r, "energy_uj", "%.3f").c_str(), fmt(*r, "fp32_energy_uj", "%.3f").c_str(),
                fmt(*r, "area_mm2", "%.4f").c_str());
  }
}

int sweep(const SweepFlags& f) {
  // Everything that can be wrong with the input is found before anything is written.
  const SweepGrid g = load_sweep_grid(f.grid);
  check_output_dir(f.out, "--out");
  std::map<std::string, EnergyTable> tables;
  for (const std::string& name : g.energy_table) {
    try {
      tables[name] = load_energy_table(name);
    } catch (const InputError& e) {
      throw InputError(f.grid + ": energy_table: " + e.what());
    }
  }
  const std::string model_path = shipped_model(g.model);
  const Graph graph = load_onnx(model_path);
  const Dataset test = load_fashion_mnist(g.data, Split::Test);
  const Dataset train = load_fashion_mnist(g.data, Split::Train);
  if (g.eval_images > test.count || g.sim_images > test.count)
    throw InputError(f.grid + ": eval_images/sim_images: the test set holds " + std::to_string(test.count));
  const std::string csv = f.out + "/points.csv";
  SweepTable table = read_sweep_table(csv);
  const size_t kept = table.rows.size();  // rows of earlier runs keep their place

  const std::vector<SweepPoint> points = sweep_points(g);
  std::vector<SweepPoint> pending;
  for (const SweepPoint& p : points) {
    const SweepRow* r = table.find(sweep_key(param_row(g, p)));
    if (!r || (f.retry_errors && r->at("status") != "ok")) pending.push_back(p);
  }
  std::fprintf(stderr, "sweep %s: %zu points, %zu done in %s, %zu to run on %d worker(s)\n", f.grid.c_str(),
               points.size(), points.size() - pending.size(), csv.c_str(), pending.size(), f.jobs);
  std::filesystem::create_directories(f.out);

  EvalOptions eval;
  eval.images = g.eval_images;
  eval.threads = f.jobs;
  double fp32_top1 = 0.0;
  std::map<QuantKey, Quantized> quantized;
  if (!pending.empty()) {
    fp32_top1 = evaluate_fp32(graph, test, eval).top1_percent();
    const Tensor calib = calibration_images(train, g.calib_images);
    for (const SweepPoint& p : pending) {
      const QuantKey key{p.weight_bits, p.act_bits, p.method};
      if (quantized.count(key)) continue;
      const auto t0 = Clock::now();
      const Quantized& q = quantized[key] = quantize(graph, calib, test, eval, p, g.base.acc_bits, f.jobs);
      std::fprintf(stderr, "quantized W%dA%d %s: %s (%.1f s)\n", p.weight_bits, p.act_bits, p.method.c_str(),
                   q.error.empty() ? ("INT top-1 " + fixed(q.int_top1, 2) + " % (FP32 " + fixed(fp32_top1, 2) + " %)").c_str()
                                   : q.error.c_str(),
                   std::chrono::duration<double>(Clock::now() - t0).count());
    }
  }

  size_t next = 0, finished = 0, failed = 0;
  std::map<pid_t, Running> running;
  auto finish = [&](const SweepPoint& p, json r, double seconds) {
    const Quantized& q = quantized.at({p.weight_bits, p.act_bits, p.method});
    SweepRow row = param_row(g, p);
    row["fp32_top1"] = num(fp32_top1);
    if (q.error.empty()) row["int_top1"] = num(q.int_top1);
    row["seconds"] = num(seconds);
    for (auto it = r.begin(); it != r.end(); ++it)
      row[it.key()] = it->is_string() ? one_line(it->get<std::string>())
                      : it->is_number_integer() ? std::to_string(it->get<int64_t>())
                                                : num(it->get<double>());
    table.put(row);
    write_sweep_table(csv, table);
    ++finished;
    const bool ok = row["status"] == "ok";
    failed += !ok;
    std::fprintf(stderr, "[%*zu/%zu] %s %s\n", static_cast<int>(std::to_string(pending.size()).size()), finished,
                 pending.size(), p.id().c_str(),
                 ok ? ("ok: " + row["cycles"] + " cycles, " + fixed(r.value("energy_uj", 0.0), 3) + " uJ, " +
                       fixed(seconds, 2) + " s")
                          .c_str()
                    : ("error: " + row["error"]).c_str());
  };
  while (next < pending.size() || !running.empty()) {
    while (next < pending.size() && static_cast<int>(running.size()) < f.jobs) {
      const SweepPoint& p = pending[next];
      const Quantized& q = quantized.at({p.weight_bits, p.act_bits, p.method});
      if (!q.error.empty()) {
        finish(p, {{"status", "error"}, {"error", q.error}}, 0.0);
        ++next;
        continue;
      }
      const auto [pid, fd] = start_child(q, test, g.sim_images, point_arch(g, p), tables.at(p.energy_table));
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
    const json r = child_result(job.fd, status);
    finish(pending[job.point], r, std::chrono::duration<double>(Clock::now() - job.start).count());
  }
  // This run's rows were appended as their points finished; in grid order instead, the table is
  // the same whatever --jobs and whichever point finished first.
  std::map<std::string, size_t> order;
  for (size_t i = 0; i < points.size(); ++i) order[sweep_key(param_row(g, points[i]))] = i;
  auto rank = [&](const SweepRow& r) {
    const auto it = order.find(sweep_key(r));
    return it == order.end() ? points.size() : it->second;
  };
  std::stable_sort(table.rows.begin() + static_cast<std::ptrdiff_t>(kept), table.rows.end(),
                   [&](const SweepRow& a, const SweepRow& b) { return rank(a) < rank(b); });
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
  app.add_option("grid", f->grid, "Grid file (JSON; README \"Sweeps and plots\" documents the keys)")->required();
  app.add_option("--out", f->out, "Output directory (points.csv)")->capture_default_str();
  app.add_option("--jobs", f->jobs, "Points simulated at once (one process each); quantization threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  app.add_flag("--retry-errors", f->retry_errors, "Run again the points whose row has status=error");
  return [f] { return sweep(*f); };
}

}  // namespace qarray::cli
