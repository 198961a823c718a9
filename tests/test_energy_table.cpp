// Reading energy tables and the Yosys area file: unknown names list the known tables; malformed
// rows name the file, the row and the column; a missing Yosys file is "not available", not an
// error; a small Yosys CSV is matched to the design and compared with the table's PE.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "energy/area_model.h"
#include "energy/energy_table.h"
#include "base/errors.h"

namespace qarray {
namespace {
namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::HasSubstr;

std::string shipped_text() {
  std::ifstream in(std::string(QARRAY_SOURCE_DIR) + "/energy/tables/horowitz45.csv");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The shipped table with the first line starting `prefix` replaced by `line` ("" deletes it).
std::string edited(const std::string& prefix, const std::string& line) {
  std::istringstream in(shipped_text());
  std::string out;
  bool done = false;
  for (std::string l; std::getline(in, l);) {
    if (!done && l.rfind(prefix, 0) == 0) {
      done = true;
      if (!line.empty()) out += line + "\n";
      continue;
    }
    out += l + "\n";
  }
  EXPECT_TRUE(done) << prefix;
  return out;
}

std::string error_of(const std::string& text) {
  try {
    parse_energy_table(text, "t.csv", "t");
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

fs::path temp_dir() {
  const fs::path d = fs::path(::testing::TempDir()) / ("qarray_energy_" + std::to_string(::getpid()));
  fs::create_directories(d);
  return d;
}

TEST(EnergyTableErrors, UnknownNameListsTheKnownTables) {
  try {
    load_energy_table("horowitz28");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), AllOf(HasSubstr("unknown energy table 'horowitz28'"), HasSubstr("horowitz45"),
                                HasSubstr("aladdin40")));
  }
}

TEST(EnergyTableErrors, MissingFileIsNamed) {
  EXPECT_THROW(
      {
        try {
          load_energy_table("/nonexistent/t.csv");
        } catch (const InputError& e) {
          EXPECT_THAT(e.what(), HasSubstr("/nonexistent/t.csv: cannot open"));
          throw;
        }
      },
      InputError);
}

TEST(EnergyTableErrors, TheShippedTextParses) { EXPECT_EQ(parse_energy_table(shipped_text(), "t.csv", "t").node, "45nm"); }

TEST(EnergyTableErrors, MalformedValueNamesFileRowAndColumn) {
  // add_int is the second data row (line 5 of the file).
  EXPECT_EQ(error_of(edited("add_int,", "add_int,zero,pJ,45nm,32,,,src")),
            "t.csv: row 2 (line 5), column 'value': 'zero' is not a number");
  EXPECT_EQ(error_of(edited("add_int,", "add_int,0.1pJ,pJ,45nm,32,,,src")),
            "t.csv: row 2 (line 5), column 'value': '0.1pJ' is not a finite number");
}

TEST(EnergyTableErrors, NegativeValue) {
  EXPECT_EQ(error_of(edited("dram_byte,", "dram_byte,-162.5,pJ/byte,45nm,,,,src")),
            "t.csv: row 12 (line 15), column 'value': -162.5 is negative (costs are >= 0)");
}

TEST(EnergyTableErrors, WrongUnitWidthsAndCellCount) {
  EXPECT_THAT(error_of(edited("mult_fp32,", "mult_fp32,3.7,nJ,45nm,,,,src")),
              HasSubstr("column 'unit': unit 'nJ' for action mult_fp32, expected 'pJ'"));
  EXPECT_THAT(error_of(edited("mult_int,", "mult_int,0.2,pJ,45nm,8,,,src")),
              HasSubstr("row 1 (line 4), column 'width_b_bits': required for action mult_int"));
  EXPECT_THAT(error_of(edited("add_fp32,", "add_fp32,0.9,pJ,45nm,32,,,src")),
              HasSubstr("column 'width_a_bits': must be empty for action add_fp32"));
  EXPECT_THAT(error_of(edited("add_fp32,", "add_fp32,0.9,pJ,45nm,,,src")), HasSubstr("7 cells, expected 8"));
  EXPECT_THAT(error_of(edited("add_fp32,", "add_fp32,0.9,pJ,45nm,,,,")),
              HasSubstr("column 'source': empty (every value cites its source)"));
  EXPECT_THAT(error_of(edited("add_fp32,", "add_fp64,0.9,pJ,45nm,,,,src")),
              HasSubstr("column 'action': unknown action 'add_fp64' (expected one of mult_int"));
}

TEST(EnergyTableErrors, MissingDuplicateAndMixedNodeRows) {
  EXPECT_EQ(error_of(edited("dram_byte,", "")), "t.csv: no row for action dram_byte");
  EXPECT_THAT(error_of(edited("add_fp32,", "add_fp32,0.9,pJ,45nm,,,,src\nadd_fp32,1,pJ,45nm,,,,src")),
              HasSubstr("column 'action': add_fp32 appears twice"));
  EXPECT_THAT(error_of(edited("sram_read,20,", "sram_read,20,pJ/access,45nm,64,,8192,src")),
              HasSubstr("column 'capacity_bytes': sram_read at 8192 bytes appears twice"));
  EXPECT_THAT(error_of(edited("add_fp32,", "add_fp32,0.9,pJ,40nm,,,,src")),
              HasSubstr("column 'node': '40nm' differs from '45nm' of the first row"));
  EXPECT_THAT(error_of("action,value\n"), HasSubstr("t.csv: line 1: header 'action,value', expected"));
}

TEST(EnergyTableErrors, CsvPathLoadsWithItsStemAsName) {
  const fs::path p = temp_dir() / "mytable.csv";
  std::ofstream(p) << edited("dram_byte,", "dram_byte,64,pJ/byte,45nm,,,,\"derived: LPDDR4 8 pJ/bit x 8\"");
  const EnergyTable t = load_energy_table(p.string());
  EXPECT_EQ(t.name, "mytable");
  EXPECT_EQ(t.row("dram_byte").value, 64.0);
  EXPECT_EQ(t.row("dram_byte").source, "derived: LPDDR4 8 pJ/bit x 8");
}

AreaBreakdown area_of(double pe_um2) {
  AreaBreakdown a;
  a.pe_um2 = pe_um2;
  return a;
}

TEST(YosysArea, MissingFileIsNotAvailable) {
  ArchConfig a;
  const YosysAreaComparison c = compare_yosys_area((temp_dir() / "none.csv").string(), a, area_of(642));
  EXPECT_FALSE(c.available);
  EXPECT_THAT(c.reason, AllOf(HasSubstr("not available"), HasSubstr("none.csv not found")));
  EXPECT_EQ(c.table_pe_um2, 642);
}

TEST(YosysArea, MatchesTheArrayRowElseOnePe) {
  const fs::path p = temp_dir() / "yosys_area.csv";
  std::ofstream(p) << "design,rows,cols,weight_bits,act_bits,acc_bits,cells,transistors\n"
                      "pe,1,1,8,8,32,900,9000\n"
                      "array,4,4,8,8,32,16000,160000\n"
                      "array,16,16,8,8,32,230400,2560000\n"
                      "pe,1,1,4,4,16,300,2500\n";
  ArchConfig a;  // 16x16 W8A8 acc32
  YosysAreaComparison c = compare_yosys_area(p.string(), a, area_of(642));
  ASSERT_TRUE(c.available) << c.reason;
  EXPECT_EQ(c.rows, 16);
  EXPECT_EQ(c.cells, 230400);
  EXPECT_EQ(c.transistors_per_pe, 10000.0);
  EXPECT_EQ(c.cells_per_pe, 900.0);
  EXPECT_DOUBLE_EQ(c.table_um2_per_transistor, 642.0 / 10000);
  a.rows = a.cols = 8;  // no 8x8 row: the single PE of the same widths
  c = compare_yosys_area(p.string(), a, area_of(642));
  ASSERT_TRUE(c.available);
  EXPECT_EQ(c.design, "pe");
  EXPECT_EQ(c.transistors_per_pe, 9000.0);
  a.acc_bits = 24;  // no row of these widths
  c = compare_yosys_area(p.string(), a, area_of(642));
  EXPECT_FALSE(c.available);
  EXPECT_THAT(c.reason, HasSubstr("no row for 8x8 (or 1x1) W8A8 acc24"));
}

// The checked-in table of scripts/area also holds the post-processing unit (top
// post_processing, no weight width): with a "top" column only pe / systolic_array rows count.
TEST(YosysArea, RowsOfOtherModulesAreSkipped) {
  const fs::path p = temp_dir() / "yosys_area_top.csv";
  std::ofstream(p) << "design,top,dataflow,rows,cols,weight_bits,act_bits,acc_bits,cells,transistors\n"
                      "post_processing_l1,post_processing,,1,1,,8,32,10083,80234\n"
                      "pe_w8,pe,ws,1,1,8,8,32,720,6030\n";
  ArchConfig a;  // 16x16 W8A8 acc32: no array row, the PE row
  const YosysAreaComparison c = compare_yosys_area(p.string(), a, area_of(642));
  ASSERT_TRUE(c.available) << c.reason;
  EXPECT_EQ(c.design, "pe_w8");
  EXPECT_EQ(c.transistors_per_pe, 6030.0);
}

TEST(YosysArea, MalformedFileNamesRowAndColumn) {
  const fs::path p = temp_dir() / "bad_yosys.csv";
  std::ofstream(p) << "design,rows,cols,weight_bits,act_bits,acc_bits,cells,transistors\npe,1,1,8,8,32,many,9000\n";
  try {
    compare_yosys_area(p.string(), ArchConfig{}, area_of(642));
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), p.string() + ": row 1, column 'cells': 'many' is not a whole number >= 0");
  }
  std::ofstream(p) << "design,rows,cols,weight_bits,act_bits,cells\n";
  EXPECT_THROW(compare_yosys_area(p.string(), ArchConfig{}, area_of(642)), InputError);
}

}  // namespace
}  // namespace qarray
