// base/csv.h, the one CSV dialect of every table qarray reads and writes: cells split at commas
// outside quotes, "" inside quotes is one quote, an unclosed quote is reported; csv_field quotes
// exactly the cells that need it, and what it writes splits back to the same text.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/csv.h"
#include "base/errors.h"

namespace qarray {
namespace {

using Cells = std::vector<std::string>;

Cells split(const std::string& line) {
  Cells cells;
  EXPECT_TRUE(split_csv_line(line, cells)) << line;
  return cells;
}

TEST(Csv, SplitsAtCommasOutsideQuotes) {
  EXPECT_EQ(split("a,b,c"), (Cells{"a", "b", "c"}));
  EXPECT_EQ(split(""), (Cells{""}));
  EXPECT_EQ(split("a,,"), (Cells{"a", "", ""}));
  EXPECT_EQ(split(",a"), (Cells{"", "a"}));
  EXPECT_EQ(split(R"(x,"Horowitz, ISSCC 2014",y)"), (Cells{"x", "Horowitz, ISSCC 2014", "y"}));
  EXPECT_EQ(split(R"("say ""hi""",2)"), (Cells{"say \"hi\"", "2"}));
  EXPECT_EQ(split(R"("")"), (Cells{""}));
  EXPECT_EQ(split(R"(a "b" c,d)"), (Cells{"a b c", "d"}));  // quotes open and close mid-cell
}

TEST(Csv, UnclosedQuoteIsReported) {
  Cells cells;
  EXPECT_FALSE(split_csv_line(R"(a,"b,c)", cells));
  EXPECT_EQ(cells, (Cells{"a", "b,c"}));
  try {
    csv_cells(R"(a,"b)", "t.csv: line 3");
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "t.csv: line 3: unterminated quoted cell");
  }
}

TEST(Csv, FieldQuotesOnlyWhatNeedsItAndSplitsBack) {
  EXPECT_EQ(csv_field("/stem/stem.0/Conv"), "/stem/stem.0/Conv");
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  const Cells texts = {"plain", "with, comma", "\"quoted\"", "", "arch 'x': a, b \"c\""};
  std::string line;
  for (size_t i = 0; i < texts.size(); ++i) line += (i ? "," : "") + csv_field(texts[i]);
  EXPECT_EQ(split(line), texts);
}

}  // namespace
}  // namespace qarray
