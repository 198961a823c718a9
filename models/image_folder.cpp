// Image-folder datasets (models/image_folder.h).
#include "models/image_folder.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "base/errors.h"
#include "models/image_samples.h"

namespace qarray {
namespace {

namespace fs = std::filesystem;

bool hidden(const fs::path& p) { return p.filename().string().rfind('.', 0) == 0; }

bool image_name(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".png" || ext == ".jpg" || ext == ".jpeg";
}

std::vector<fs::path> sorted_entries(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (!hidden(it->path())) out.push_back(it->path());
  if (ec) throw InputError(dir.string() + ": cannot list the folder (" + ec.message() + ")");
  std::sort(out.begin(), out.end(), [](const fs::path& a, const fs::path& b) { return a.filename() < b.filename(); });
  return out;
}

bool has_subfolders(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return false;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (!hidden(it->path()) && it->is_directory(ec)) return true;
  return false;
}

}  // namespace

std::string image_folder_split(const std::string& root, Split split, std::string& split_name) {
  const fs::path r(root);
  const bool layout = has_subfolders(r / "train") && (has_subfolders(r / "test") || has_subfolders(r / "val"));
  if (!layout) {
    split_name = "all";
    return root;
  }
  if (split == Split::Train) split_name = "train";
  else split_name = has_subfolders(r / "test") ? "test" : "val";
  return (r / split_name).string();
}

ImageFolderListing list_image_folder(const std::string& dir) {
  ImageFolderListing l;
  l.dir = dir;
  std::vector<std::vector<std::string>> per_class;
  for (const fs::path& c : sorted_entries(dir)) {
    std::error_code ec;
    if (!fs::is_directory(c, ec)) continue;
    std::vector<std::string> files;
    for (const fs::path& f : sorted_entries(c)) {
      if (!image_name(f))
        throw InputError(f.string() + ": not a PNG or JPEG image name (.png, .jpg, .jpeg) in class folder '" +
                         c.filename().string() + "'");
      files.push_back(f.string());
    }
    if (files.empty()) throw InputError(c.string() + ": class folder without images (.png, .jpg, .jpeg)");
    l.classes.push_back(c.filename().string());
    per_class.push_back(std::move(files));
  }
  if (l.classes.empty())
    throw InputError(dir + ": no class sub-folders (an image-folder dataset holds one sub-folder of PNG/JPEG "
                     "images per class)");
  for (size_t k = 0;; ++k) {  // interleave: image k of every class that has one
    bool any = false;
    for (size_t c = 0; c < per_class.size(); ++c)
      if (k < per_class[c].size()) {
        l.files.push_back(per_class[c][k]);
        l.labels.push_back(static_cast<int32_t>(c));
        any = true;
      }
    if (!any) break;
  }
  return l;
}

Dataset image_folder_dataset(const ImageFolderListing& listing, const std::string& split_name, const Preprocess& pre,
                             const ModelInput& input, const std::string& origin) {
  if (input.classes > 0 && static_cast<int64_t>(listing.classes.size()) > input.classes)
    throw InputError(listing.dir + ": " + std::to_string(listing.classes.size()) +
                     " class folders; the model output scores " + std::to_string(input.classes) + " classes");
  for (const std::string& f : listing.files) {
    const ImageInfo info = read_image_info(f);
    check_image_input(input, pre, info.height, info.width, origin,
                      std::to_string(info.height) + "×" + std::to_string(info.width) + " images (" + f + ")");
  }
  Dataset d;
  d.format = "image-folder";
  d.path = listing.dir;
  d.split = split_name;
  d.count = static_cast<int64_t>(listing.files.size());
  d.sample_shape = input.shape;
  d.labels = listing.labels;
  d.classes = listing.classes;
  d.preprocessing = pre.describe();
  auto files = std::make_shared<const std::vector<std::string>>(listing.files);
  d.reader = std::make_shared<ImageSamples>([files](int64_t i) { return decode_image((*files)[i]); }, pre, input.shape);
  return d;
}

}  // namespace qarray
