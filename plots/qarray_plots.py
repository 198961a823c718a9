#!/usr/bin/python3
"""Figures of qarray's report files (run by `qarray plot`; matplotlib via /usr/bin/python3).

Reads only report files, never simulator internals:
  --report  report.json of `qarray run` (keys "model", "arch", "accuracy", "energy": schema in docs/cli.md)
  --sweep   points.csv of `qarray sweep` (columns in docs/cli.md "Sweeps and plots")
Writes PNG files into --out, each figsize inches x DPI (pixel sizes fixed, checked by tests):
  energy_breakdown.png    per-layer energy by component, INT vs FP32 twin (stacked bars)   [report]
  area.png                area per PE and per design, INT-b vs FP32          [sweep, else report]
  accuracy_vs_bits.png    INT top-1 vs weight bit-width per PTQ method            [sweep, accuracy measured]
  latency_utilization.png latency and utilization vs array size per dataflow      [sweep]
  pareto.png              energy-accuracy Pareto front of the sweep points        [sweep, accuracy measured]
Errors: one line "qarray plot: error: ..." on stderr naming the file and key, exit 1.
"""
import argparse
import csv
import json
import math
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

DPI = 100
TALL = (12.0, 8.0)    # energy breakdown, two panels stacked: 1200 x 800 px
PAIR = (11.0, 4.5)    # two panels side by side: 1100 x 450 px
SINGLE = (7.0, 5.0)   # one panel: 700 x 500 px

COMPONENTS = [("mac_pj", "MAC"), ("register_pj", "PE registers"), ("ifmap_sram_pj", "ifmap SRAM"),
              ("weight_sram_pj", "weight SRAM"), ("ofmap_sram_pj", "ofmap SRAM"), ("dram_pj", "DRAM")]
COLORS = ["#4c72b0", "#8172b2", "#55a868", "#64b5cd", "#ccb974", "#c44e52"]
KIND_SHORT = {"conv": "conv", "depthwise": "dw", "fc": "fc", "add": "add", "avgpool": "avgpool",
              "maxpool": "maxpool"}


class PlotError(Exception):
    pass


def need(obj, key, where):
    if not isinstance(obj, dict) or key not in obj:
        raise PlotError(f"{where}: missing key '{key}'")
    return obj[key]


def model_name(report):
    m = report.get("model")
    if isinstance(m, dict):  # qarray run: {"name", "path", ...}: the file's stem names the model
        path = m.get("path") or m.get("name", "model")
        return os.path.splitext(os.path.basename(path))[0]
    return str(m)


def save_all(figures, out):
    """Writes the figures only once all were drawn: a bad input leaves nothing behind."""
    os.makedirs(out, exist_ok=True)
    for name, fig in figures:
        path = os.path.join(out, name)
        fig.savefig(path, dpi=DPI)  # no bbox_inches="tight": the pixel size stays FIGSIZE x DPI
        plt.close(fig)
        print(path)


# ---------------------------------------------------------------- run report figures

def energy_breakdown(report, where, figures):
    e = need(report, "energy", where)
    table, node = need(e, "table", where + ": energy"), need(e, "node", where + ": energy")
    designs = [("INT", need(need(e, "int", where + ": energy"), "layers", where + ": energy.int")),
               ("FP32", need(need(e, "fp32", where + ": energy"), "layers", where + ": energy.fp32"))]
    n = len(designs[0][1])
    if n == 0 or len(designs[1][1]) != n:
        raise PlotError(f"{where}: energy.int.layers and energy.fp32.layers must list the same layers")
    arch = report.get("arch", {})
    acc = report.get("accuracy", {})
    for i, l in enumerate(designs[0][1] + designs[1][1]):
        for key, _ in COMPONENTS:
            need(l, key, f"{where}: energy layer {i % n} '{l.get('name', '?')}'")
    fig, (top, bottom_ax) = plt.subplots(2, 1, figsize=TALL, sharex=True)
    # Top: every component; bottom: on chip only (DRAM left out), where the MAC, register and
    # SRAM shares are visible next to DRAM's.
    for ax, comps in ((top, COMPONENTS), (bottom_ax, COMPONENTS[:-1])):
        width = 0.4
        for d, (label, layers) in enumerate(designs):
            bottom = [0.0] * n
            xs = [i + (d - 0.5) * width for i in range(n)]
            for (key, comp), color in zip(comps, COLORS):
                vals = [l[key] / 1e6 for l in layers]
                ax.bar(xs, vals, width, bottom=bottom, color=color, edgecolor="white", linewidth=0.3,
                       hatch="//" if label == "FP32" else None, label=comp if d == 0 else None)
                bottom = [b + v for b, v in zip(bottom, vals)]
        ax.set_ylim(0, max(max(sum(l[k] for k, _ in comps) for l in ls) for _, ls in designs) / 1e6 * 1.15)
        ax.grid(axis="y", alpha=0.3)
    top.set_ylabel("energy per image (µJ)")
    bottom_ax.set_ylabel("on-chip energy (µJ)")
    top.legend(ncol=6, fontsize=8, loc="upper right")
    bottom_ax.set_title("on chip only (without DRAM)", fontsize=9)
    bottom_ax.set_xticks(range(n))
    bottom_ax.set_xticklabels([f"{i} {KIND_SHORT.get(l.get('kind', ''), l.get('kind', ''))}"
                               for i, l in enumerate(designs[0][1])], rotation=60, ha="right", fontsize=8)
    bottom_ax.set_xlabel("layer (index, kind); left bar INT, right bar (hatched) FP32 twin")
    totals = [sum(need(l, "total_pj", where) for l in layers) / 1e6 for _, layers in designs]
    bits = f"W{acc.get('weight_bits', arch.get('weight_bits', '?'))}A{acc.get('act_bits', arch.get('act_bits', '?'))}"
    top.set_title(f"{model_name(report)}: energy per layer, INT {bits} vs FP32 on "
                  f"{arch.get('rows', '?')}x{arch.get('cols', '?')} {arch.get('dataflow', '?')} — "
                  f"table {table} ({node})\ntotal INT {totals[0]:.2f} µJ, FP32 {totals[1]:.2f} µJ "
                  f"(ratio {totals[0] / totals[1]:.3f})", fontsize=10)
    fig.tight_layout()
    figures.append(("energy_breakdown.png", fig))


def area_from_report(report, where, figures):
    e = need(report, "energy", where)
    q, f = need(e, "int", where + ": energy"), need(e, "fp32", where + ": energy")
    arch = report.get("arch", {})
    bits = f"INT W{arch.get('weight_bits', '?')}A{arch.get('act_bits', '?')}"
    fig, (a1, a2) = plt.subplots(1, 2, figsize=PAIR)
    a1.bar([bits, "FP32"], [need(q, "pe_area_um2", where), need(f, "pe_area_um2", where)], color=[COLORS[0], COLORS[5]])
    a1.set_ylabel("area per PE (µm²)")
    a1.set_title("one PE (multiplier, adder, registers)", fontsize=10)
    for i, (d, label) in enumerate([(q, bits), (f, "FP32")]):
        arr, sram = need(d, "array_area_mm2", where), need(d, "sram_area_mm2", where)
        a2.bar(i, arr, color=COLORS[0], label="PE array" if i == 0 else None)
        a2.bar(i, sram, bottom=arr, color=COLORS[2], label="SRAM buffers" if i == 0 else None)
    a2.set_xticks([0, 1])
    a2.set_xticklabels([bits, "FP32"])
    a2.set_ylabel("design area (mm²)")
    a2.set_title(f"{arch.get('rows', '?')}x{arch.get('cols', '?')} array + buffers", fontsize=10)
    a2.legend(fontsize=8)
    fig.suptitle(f"{model_name(report)}: area, INT vs FP32 — table {e['table']} ({e['node']})", fontsize=11)
    fig.tight_layout()
    figures.append(("area.png", fig))


# ---------------------------------------------------------------- sweep figures

NUMERIC = {"rows", "cols", "weight_bits", "act_bits", "ifmap_kib", "weight_kib", "ofmap_kib",
           "dram_bytes_per_cycle", "fp32_top1", "int_top1", "cycles", "latency_us", "utilization", "energy_uj",
           "fp32_cycles", "fp32_energy_uj", "area_mm2", "fp32_area_mm2", "pj_per_mac", "pe_area_um2",
           "fp32_pe_area_um2"}
REQUIRED = ["point", "status", "model", "rows", "cols", "dataflow", "weight_bits", "act_bits", "method",
            "energy_table", "fp32_top1", "int_top1", "latency_us", "utilization", "energy_uj", "fp32_energy_uj",
            "area_mm2", "fp32_area_mm2"]


def read_sweep(path):
    try:
        with open(path, newline="") as f:
            reader = csv.DictReader(f)
            missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
            if missing:
                raise PlotError(f"{path}: missing column(s) {', '.join(missing)}")
            rows = []
            for n, r in enumerate(reader, start=2):
                for k in NUMERIC:
                    v = r.get(k)
                    if k in ("fp32_top1", "int_top1") and v == "not measured":  # synthetic data
                        r[k] = None
                        continue
                    try:
                        r[k] = float(v) if v not in (None, "") else None
                    except ValueError:
                        raise PlotError(f"{path}: line {n}: column {k}: '{v}' is not a number")
                rows.append(r)
    except OSError as e:
        raise PlotError(f"{path}: {e.strerror}")
    ok = [r for r in rows if r["status"] == "ok"]
    if not ok:
        raise PlotError(f"{path}: no point with status ok")
    return ok


def sweep_title(rows, what):
    models = sorted({r["model"] for r in rows})
    tables = sorted({f"{r['energy_table']} ({r.get('node') or '?'})" for r in rows})
    return f"{', '.join(models)}: {what} — table {', '.join(tables)}"


def reference(rows, keep):
    """Rows at one value of every swept parameter not in `keep` (the widest bits, the first of
    the others), and a text naming that setting."""
    fixed = {}
    for k in ["weight_bits", "act_bits", "method", "ifmap_kib", "weight_kib", "ofmap_kib",
              "dram_bytes_per_cycle", "energy_table"]:
        if k in keep:
            continue
        vals = [r[k] for r in rows]
        fixed[k] = max(vals) if k in ("weight_bits", "act_bits") else vals[0]
    sel = [r for r in rows if all(r[k] == v for k, v in fixed.items())]

    def fmt(k):
        v = fixed.get(k, "*")
        return f"{v:g}" if isinstance(v, float) else v
    text = (f"W{fmt('weight_bits')}A{fmt('act_bits')} {fmt('method')}, SRAM "
            f"{fmt('ifmap_kib')}/{fmt('weight_kib')}/{fmt('ofmap_kib')} KiB, DRAM "
            f"{fmt('dram_bytes_per_cycle')} B/cycle")
    return sel, text


def accuracy_vs_bits(rows, figures):
    seen = {}
    for r in rows:
        seen[(r["method"], r["act_bits"], r["weight_bits"])] = r["int_top1"]
    acts = sorted({k[1] for k in seen})
    fig, ax = plt.subplots(figsize=SINGLE)
    for method in sorted({k[0] for k in seen}):
        for a in acts:
            pts = sorted((w, v) for (m, aa, w), v in seen.items() if m == method and aa == a)
            label = method if len(acts) == 1 else f"{method}, A{a:g}"
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=label)
    fp32 = rows[0]["fp32_top1"]
    ax.axhline(fp32, color="black", linestyle="--", linewidth=1, label=f"FP32 {fp32:.2f} %")
    ax.set_xticks(sorted({k[2] for k in seen}))
    ax.set_xlabel("weight bit-width (bits)" + (f", activations {acts[0]:g} bits" if len(acts) == 1 else ""))
    ax.set_ylabel("top-1 accuracy (%)")
    images = rows[0].get("eval_images") or "?"
    ax.set_title(sweep_title(rows, f"INT top-1 vs weight bits ({'all' if images == '0' else images} "
                                   f"test images)"), fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    figures.append(("accuracy_vs_bits.png", fig))


def latency_utilization(rows, figures):
    sel, setting = reference(rows, {"rows", "cols", "dataflow"})
    sizes = sorted({(r["rows"], r["cols"]) for r in sel}, key=lambda s: (s[0] * s[1], s))
    fig, (a1, a2) = plt.subplots(1, 2, figsize=PAIR)
    for df in sorted({r["dataflow"] for r in sel}):
        by = {(r["rows"], r["cols"]): r for r in sel if r["dataflow"] == df}
        xs = [i for i, s in enumerate(sizes) if s in by]
        a1.plot(xs, [by[sizes[i]]["latency_us"] for i in xs], marker="o", label=df)
        a2.plot(xs, [100 * by[sizes[i]]["utilization"] for i in xs], marker="o", label=df)
    for ax, label in ((a1, "latency per image (µs)"), (a2, "PE utilization (%)")):
        ax.set_xticks(range(len(sizes)))
        ax.set_xticklabels([f"{int(r)}x{int(c)}" for r, c in sizes])
        ax.set_xlabel("array size (rows x cols PEs)")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        ax.legend(title="dataflow", fontsize=8)
    a1.set_yscale("log")
    fig.suptitle(sweep_title(sel, "latency and utilization vs array size") + f"\n{setting}, batch 1", fontsize=10)
    fig.tight_layout()
    figures.append(("latency_utilization.png", fig))


def area_from_sweep(rows, figures):
    fig, (a1, a2) = plt.subplots(1, 2, figsize=PAIR)
    pe = {}
    for r in rows:
        pe[(r["weight_bits"], r["act_bits"])] = r["pe_area_um2"]
    keys = sorted(pe)
    labels = [f"W{w:g}A{a:g}" for w, a in keys] + ["FP32"]
    vals = [pe[k] for k in keys] + [rows[0]["fp32_pe_area_um2"]]
    if any(v is None for v in vals):
        raise PlotError("sweep table: pe_area_um2 / fp32_pe_area_um2 empty")
    bars = a1.bar(labels, vals, color=[COLORS[0]] * len(keys) + [COLORS[5]])
    a1.bar_label(bars, labels=[f"{v:,.0f}" for v in vals], fontsize=8)
    a1.set_ylim(0, max(vals) * 1.1)
    a1.set_ylabel("area per PE (µm²)")
    a1.set_xlabel("PE operand widths")
    a1.set_title("one PE (multiplier, adder, registers)", fontsize=10)
    sel, _ = reference(rows, {"rows", "cols", "weight_bits", "act_bits", "dataflow"})
    sizes = sorted({(r["rows"], r["cols"]) for r in sel}, key=lambda s: (s[0] * s[1], s))
    design = {}
    for r in sel:
        design[((r["rows"], r["cols"]), f"W{r['weight_bits']:g}A{r['act_bits']:g}")] = r["area_mm2"]
        design[((r["rows"], r["cols"]), "FP32")] = r["fp32_area_mm2"]
    series = labels
    width = 0.8 / len(series)
    for j, s in enumerate(series):
        xs = [i + (j - (len(series) - 1) / 2) * width for i, sz in enumerate(sizes) if (sz, s) in design]
        ys = [design[(sz, s)] for sz in sizes if (sz, s) in design]
        a2.bar(xs, ys, width, label=s, color=COLORS[5] if s == "FP32" else None)
    a2.set_xticks(range(len(sizes)))
    a2.set_xticklabels([f"{int(r)}x{int(c)}" for r, c in sizes])
    a2.set_xlabel("array size (rows x cols PEs)")
    a2.set_ylabel("design area: array + SRAM (mm²)")
    a2.set_title("whole design", fontsize=10)
    a2.legend(fontsize=8)
    fig.suptitle(sweep_title(rows, "area, INT-b vs FP32"), fontsize=11)
    fig.tight_layout()
    figures.append(("area.png", fig))


def pareto(rows, figures):
    fig, ax = plt.subplots(figsize=SINGLE)
    bits = sorted({r["weight_bits"] for r in rows})
    cmap = plt.get_cmap("viridis")
    for i, b in enumerate(bits):
        pts = [r for r in rows if r["weight_bits"] == b]
        ax.scatter([r["energy_uj"] for r in pts], [r["int_top1"] for r in pts], s=25, alpha=0.8,
                   color=cmap(i / max(1, len(bits) - 1) * 0.9), label=f"INT W{b:g}")
    # Front: no other point has less or equal energy and higher or equal accuracy (one strictly).
    front, best = [], -math.inf
    for r in sorted(rows, key=lambda r: (r["energy_uj"], -r["int_top1"])):
        if r["int_top1"] > best:
            front.append(r)
            best = r["int_top1"]
    ax.step([r["energy_uj"] for r in front], [r["int_top1"] for r in front], where="post", color="black",
            linewidth=1.2, label=f"Pareto front ({len(front)} points)")
    fp = min(rows, key=lambda r: r["fp32_energy_uj"])
    ax.scatter([fp["fp32_energy_uj"]], [fp["fp32_top1"]], marker="*", s=150, color=COLORS[5],
               label=f"FP32 twin, best ({int(fp['rows'])}x{int(fp['cols'])} {fp['dataflow']})")
    ax.scatter([r["energy_uj"] for r in front], [r["int_top1"] for r in front], s=70, facecolors="none",
               edgecolors="black", linewidths=1.0)
    for r in front:
        ax.annotate(f"{int(r['rows'])}x{int(r['cols'])} {r['dataflow']} W{r['weight_bits']:g}A{r['act_bits']:g}",
                    (r["energy_uj"], r["int_top1"]), textcoords="offset points", xytext=(10, 8), fontsize=8,
                    bbox=dict(boxstyle="round,pad=0.2", facecolor="white", edgecolor="none", alpha=0.85))
    ax.set_xlabel("energy per image (µJ)")
    ax.set_ylabel("top-1 accuracy (%)")
    ax.set_title(sweep_title(rows, f"energy vs accuracy, {len(rows)} designs"), fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    figures.append(("pareto.png", fig))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--report")
    p.add_argument("--sweep")
    p.add_argument("--out", required=True)
    a = p.parse_args()
    if not a.report and not a.sweep:
        raise PlotError("give --report, --sweep or both")
    report = rows = None
    if a.report:
        try:
            with open(a.report) as f:
                report = json.load(f)
        except OSError as e:
            raise PlotError(f"{a.report}: {e.strerror}")
        except json.JSONDecodeError as e:
            raise PlotError(f"{a.report}: not valid JSON (line {e.lineno}: {e.msg})")
    if a.sweep:
        rows = read_sweep(a.sweep)
    figures = []
    if report is not None:
        energy_breakdown(report, a.report, figures)
    if rows is not None:
        area_from_sweep(rows, figures)
        measured = [r for r in rows if r["int_top1"] is not None and r["fp32_top1"] is not None]
        if measured:
            accuracy_vs_bits(measured, figures)
        latency_utilization(rows, figures)
        if measured:
            pareto(measured, figures)
        else:
            print(f"qarray plot: {a.sweep}: accuracy not measured (synthetic data): no accuracy_vs_bits.png, "
                  "no pareto.png", file=sys.stderr)
    elif report is not None:
        area_from_report(report, a.report, figures)
    save_all(figures, a.out)


if __name__ == "__main__":
    try:
        main()
    except PlotError as e:
        print(f"qarray plot: error: {e}", file=sys.stderr)
        sys.exit(1)
