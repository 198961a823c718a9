#include "tests/fst_reader.h"

// GTKWave's FST implementation, included as C++ the way verilated_fst_c.cpp does.
#define FST_CONFIG_INCLUDE "fst_config.h"
#include "gtkwave/fastlz.c"
#include "gtkwave/fstapi.c"
#include "gtkwave/lz4.c"

namespace qarray::testing {

FstContents read_fst(const std::string& path) {
  FstContents c;
  void* ctx = fstReaderOpen(path.c_str());
  if (!ctx) return c;
  c.opened = true;
  c.end_time = fstReaderGetEndTime(ctx);
  std::vector<std::string> scopes;
  while (const fstHier* h = fstReaderIterateHier(ctx)) {
    if (h->htyp == FST_HT_SCOPE) {
      scopes.push_back(h->u.scope.name);
    } else if (h->htyp == FST_HT_UPSCOPE) {
      if (!scopes.empty()) scopes.pop_back();
    } else if (h->htyp == FST_HT_VAR) {
      std::string name;
      for (const std::string& s : scopes) name += s + ".";
      c.variables.push_back(name + h->u.var.name);
    }
  }
  fstReaderSetFacProcessMaskAll(ctx);
  fstReaderIterBlocks(
      ctx, [](void* user, uint64_t, fstHandle, const unsigned char*) { ++static_cast<FstContents*>(user)->value_changes; },
      &c, nullptr);
  fstReaderClose(ctx);
  return c;
}

}  // namespace qarray::testing
