// Image-folder datasets: one sub-folder of PNG/JPEG images per class (torchvision's ImageFolder
// layout). Classes are the sub-folder names in byte order, labels 0, 1, ... in that order; the
// images of a class are its files named *.png, *.jpg or *.jpeg (any case), in byte order.
// Samples interleave the classes (class 0 image 0, class 1 image 0, ..., class 0 image 1, ...;
// a class that runs out is skipped), so the first N images, the calibration set or an --images
// subset, cover every class. Files and folders whose names start with '.' are ignored, so are
// loose files beside the class folders; any other file inside a class folder is an error.
//
// A folder holding sub-folders `train` and `test` (or `val`), each laid out as above, gives the
// calibration split (train) and the test split (test, else val).
#pragma once
#include <string>
#include <vector>

#include "models/dataset.h"
#include "models/image_decode.h"

namespace qarray {

struct ImageFolderListing {
  std::string dir;                   // the folder whose sub-folders are the classes
  std::vector<std::string> classes;  // by label
  std::vector<std::string> files;    // sample order (classes interleaved)
  std::vector<int32_t> labels;       // per file
};

// The folder of `split` under `root`: root/train or root/test|val for a split layout, else root
// itself; `split_name` gets "train", "test", "val" or "all".
std::string image_folder_split(const std::string& root, Split split, std::string& split_name);

// Lists a class folder tree; InputError "<dir>: ..." when it has no class sub-folders, a class
// has no images, or a class folder holds a file that is not a .png/.jpg/.jpeg image.
ImageFolderListing list_image_folder(const std::string& dir);

// The dataset of a listing: every image's header is read and its size after `pre` checked
// against `input` (InputError naming the first image that does not fit, and both shapes).
Dataset image_folder_dataset(const ImageFolderListing& listing, const std::string& split_name, const Preprocess& pre,
                             const ModelInput& input, const std::string& origin);

}  // namespace qarray
