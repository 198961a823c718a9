// The dataset readers and the preprocessing pipeline against independent references: bilinear
// resize, crop and normalization against PyTorch's values, RGB -> gray against Pillow's, the .npy
// reader on a header written by hand, PNG/JPEG decoding against Pillow on the same files, the
// image-folder order, the synthetic distribution as documented, and the one-line errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "base/errors.h"
#include "models/dataset.h"
#include "models/image_decode.h"
#include "models/image_folder.h"
#include "models/npy.h"
#include "models/npy_dataset.h"
#include "models/preprocess.h"
#include "models/synthetic.h"

namespace qarray {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

fs::path temp(const std::string& name) {
  const fs::path p = fs::path(::testing::TempDir()) / ("dataset_" + std::to_string(::getpid())) / name;
  fs::remove_all(p);
  fs::create_directories(p.parent_path());
  return p;
}

template <typename F>
std::string error_of(F f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no InputError)";
}

// An RGB test image: pixel (y, x, c) = (37x + 91y + 53c) mod 256.
Image8 test_image(int height = 5, int width = 7) {
  Image8 img{height, width, 3, {}};
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      for (int c = 0; c < 3; ++c) img.pixels.push_back(static_cast<uint8_t>((37 * x + 91 * y + 53 * c) % 256));
  return img;
}

// Reference values below: PyTorch 1.13 on the same image as a float tensor t [1, 3, H, W],
//   r = torch.nn.functional.interpolate(t, size=(oh, ow), mode="bilinear", align_corners=False, antialias=False)
// printed as float(v) (exact float32 values). Halving and doubling have dyadic weights (0.5; 0.25
// and 0.75), so every intermediate value is exact in float and any correct implementation gives
// these bits (PyTorch's NCHW and channels-last kernels do).
TEST(Preprocess, BilinearResizeEqualsPyTorchHalvingAndDoubling) {
  const Image8 img = test_image(6, 8);
  Preprocess p;
  p.resize = {3, 4};
  std::vector<float> down(3 * 3 * 4);
  p.apply(img, 3, 3, 4, down.data());
  const std::vector<float> ch0 = {64, 138, 148, 94, 118, 64, 138, 148, 172, 118, 64, 138};
  for (int i = 0; i < 12; ++i) EXPECT_EQ(down[i], ch0[i] / 255.0f) << "halved, channel 0, element " << i;
  const std::vector<float> ch2row1 = {96, 170, 116, 126};
  for (int x = 0; x < 4; ++x) EXPECT_EQ(down[2 * 12 + 4 + x], ch2row1[x] / 255.0f) << "halved, channel 2, row 1, " << x;
  p.resize = {12, 16};
  std::vector<float> up(3 * 12 * 16);
  p.apply(img, 3, 12, 16, up.data());
  const std::vector<float> row0 = {0.0f,    9.25f,   27.75f,  46.25f,  64.75f,  83.25f,  101.75f, 120.25f,
                                   138.75f, 157.25f, 175.75f, 194.25f, 212.75f, 167.25f, 57.75f,  3.0f};
  const std::vector<float> c2r1 = {128.75f, 138.0f, 156.5f, 159.0f, 145.5f, 148.0f, 166.5f, 185.0f,
                                   203.5f,  174.0f, 96.5f,  67.0f,  85.5f,  104.0f, 122.5f, 131.75f};
  for (int x = 0; x < 16; ++x) {
    EXPECT_EQ(up[x], row0[x] / 255.0f) << "doubled, channel 0, row 0, column " << x;
    EXPECT_EQ(up[2 * 192 + 16 + x], c2r1[x] / 255.0f) << "doubled, channel 2, row 1, column " << x;
  }
}

// Other ratios round differently in the last bits between implementations (PyTorch's own NCHW
// and channels-last kernels disagree there, by up to 1e-5 on a 0-255 value), so this one is
// compared within 1e-4 of the 0-255 value: 5x7 -> 3x4, channel 0, PyTorch on the NCHW tensor.
TEST(Preprocess, BilinearResizeOfAnyRatioIsPyTorchsUpToRounding) {
  Preprocess p;
  p.resize = {3, 4};
  std::vector<float> out(3 * 3 * 4);
  p.apply(test_image(), 3, 3, 4, out.data());
  const std::vector<float> ch0 = {44.20833206176758f, 108.95833587646484f, 173.7083282470703f, 153.125f,
                                  195.87498474121094f, 4.625009536743164f, 69.37500762939453f, 134.12498474121094f,
                                  91.54165649414062f, 156.29165649414062f, 71.7083511352539f, 115.12501525878906f};
  for (int i = 0; i < 12; ++i) EXPECT_NEAR(out[i] * 255.0f, ch0[i], 1e-4) << "element " << i;
}

// PyTorch: r = interpolate(t, size=(12, 16)) of the 6x8 image; c = r[0, :, 1:11, 1:15] / 255.0;
// n = (c - mean) / std with mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225) as float32.
TEST(Preprocess, ResizeCropScaleNormalizeEqualsPyTorch) {
  Preprocess p;
  p.resize = {12, 16};
  p.crop = {10, 14};
  p.mean = {0.485f, 0.456f, 0.406f};
  p.std = {0.229f, 0.224f, 0.225f};
  EXPECT_EQ(p.output_size(6, 8), std::make_pair(int64_t{10}, int64_t{14}));
  std::vector<float> n(3 * 10 * 14);
  p.apply(test_image(6, 8), 3, 10, 14, n.data());
  const std::vector<float> c0r0 = {-1.5699118375778198f, -1.2531038522720337f, -0.9362959265708923f,
                                   -0.619488000869751f,  -0.3026800751686096f, 0.014127862639725208f,
                                   0.33093592524528503f, 0.6477437019348145f,  0.6905557513237f,
                                   0.459371417760849f,   0.5021834373474121f,  0.8189912438392639f,
                                   0.31381115317344666f, -1.0133572816848755f};
  const std::vector<float> c1r9 = {1.2993696928024292f,  -0.057422954589128494f, -0.5738794803619385f,
                                   -0.2499999701976776f, -0.2062324583530426f,   -0.44257697463035583f,
                                   -0.3988094627857208f, -0.07492995262145996f,  0.2489495724439621f,
                                   0.5728292465209961f,  0.896708607673645f,     1.2205883264541626f,
                                   1.5444676876068115f,  1.8683472871780396f};
  const std::vector<float> c2r4 = {-0.6889759302139282f, -0.36653587222099304f, -0.044095780700445175f,
                                   0.2783443033695221f,  0.6007844805717468f,   0.9232244491577148f,
                                   0.9667975902557373f,  0.7315033078193665f,   0.7750764489173889f,
                                   1.097516417503357f,   1.4199565649032593f,   1.7423964738845825f,
                                   1.2282354831695557f,  -0.12252715229988098f};
  for (int x = 0; x < 14; ++x) {
    EXPECT_EQ(n[(0 * 10 + 0) * 14 + x], c0r0[x]) << "channel 0 row 0 column " << x;
    EXPECT_EQ(n[(1 * 10 + 9) * 14 + x], c1r9[x]) << "channel 1 row 9 column " << x;
    EXPECT_EQ(n[(2 * 10 + 4) * 14 + x], c2r4[x]) << "channel 2 row 4 column " << x;
  }
}

// Pillow 9.4: Image.fromarray(img, "RGB").convert("L"), rows 0 and 4.
TEST(Preprocess, RgbToGrayIsPillowsLuma) {
  std::vector<float> g(5 * 7);
  Preprocess().apply(test_image(), 1, 5, 7, g.data());
  const std::vector<int> row0 = {43, 80, 117, 154, 191, 199, 86}, row4 = {151, 188, 196, 83, 43, 80, 117};
  for (int x = 0; x < 7; ++x) {
    EXPECT_EQ(g[x], row0[x] / 255.0f) << x;
    EXPECT_EQ(g[4 * 7 + x], row4[x] / 255.0f) << x;
  }
}

TEST(Preprocess, GrayToRgbRepeatsAndBgrReverses) {
  Image8 gray{1, 2, 1, {10, 200}};
  std::vector<float> rgb(6);
  Preprocess().apply(gray, 3, 1, 2, rgb.data());
  EXPECT_EQ(rgb, (std::vector<float>{10 / 255.0f, 200 / 255.0f, 10 / 255.0f, 200 / 255.0f, 10 / 255.0f, 200 / 255.0f}));
  Image8 px{1, 1, 3, {1, 2, 3}};
  Preprocess bgr;
  bgr.channel_order = ChannelOrder::Bgr;
  std::vector<float> out(3);
  bgr.apply(px, 3, 1, 1, out.data());
  EXPECT_EQ(out, (std::vector<float>{3 / 255.0f, 2 / 255.0f, 1 / 255.0f}));
}

TEST(Preprocess, ShorterSideResizeFollowsTorchvision) {
  Preprocess p;
  p.resize = {256};
  EXPECT_EQ(p.output_size(375, 500), std::make_pair(int64_t{256}, int64_t{341}));  // int(256 * 500 / 375)
  EXPECT_EQ(p.output_size(500, 375), std::make_pair(int64_t{341}, int64_t{256}));
  p.crop = {224, 224};
  EXPECT_EQ(p.output_size(375, 500), std::make_pair(int64_t{224}, int64_t{224}));
  p.crop = {300, 300};
  EXPECT_EQ(error_of([&] { p.output_size(375, 500); }), "crop 300x300 is larger than the 256x341 image (after resize 256)");
}

TEST(Preprocess, JsonFileAndFlagTexts) {
  const fs::path f = temp("m.preprocess.json");
  std::ofstream(f) << R"({"resize": [32, 40], "crop": 28, "mean": [0.5], "std": [0.25], "channel_order": "bgr"})";
  const Preprocess p = load_preprocess_file(f.string());
  EXPECT_EQ(p.resize, (std::vector<int64_t>{32, 40}));
  EXPECT_EQ(p.crop, (std::vector<int64_t>{28, 28}));
  EXPECT_EQ(p.mean, (std::vector<float>{0.5f}));
  EXPECT_EQ(p.std, (std::vector<float>{0.25f}));
  EXPECT_EQ(p.channel_order, ChannelOrder::Bgr);
  EXPECT_EQ(preprocess_file_beside("/a/b/m.onnx"), "/a/b/m.preprocess.json");
  std::ofstream(f) << R"({"std": [0.5, 0]})";
  EXPECT_EQ(error_of([&] { load_preprocess_file(f.string()); }), f.string() + ": std[1]: expected a positive number, got 0");
  std::ofstream(f) << R"({"scale": 2})";
  EXPECT_EQ(error_of([&] { load_preprocess_file(f.string()); }),
            f.string() + ": scale: unknown key (known: channel_order, crop, mean, resize, std)");
  EXPECT_EQ(parse_image_size("224x200", "--crop", false), (std::vector<int64_t>{224, 200}));
  EXPECT_EQ(parse_image_size("256", "--resize", true), (std::vector<int64_t>{256}));
  EXPECT_EQ(error_of([] { parse_image_size("0x5", "--resize", true); }),
            "--resize '0x5': expected N (the shorter side) or HxW, sizes 1-16384");
  EXPECT_EQ(parse_channel_values("0.485,0.456,0.406", "--mean", false), (std::vector<float>{0.485f, 0.456f, 0.406f}));
  EXPECT_EQ(error_of([] { parse_channel_values("1,x", "--std", true); }),
            "--std '1,x': 'x' is not a positive number (one value, or one per channel separated by commas)");
}

// A .npy header written by hand (as numpy.save writes it), read back.
TEST(Npy, ReadsAHandWrittenHeaderAndRows) {
  const std::string dict = "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }";
  std::string header = dict + std::string(128 - 10 - dict.size() - 1, ' ') + "\n";
  std::string bytes = std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(header.size()) + '\0' + header;
  for (int64_t v : {7, -2, 300}) bytes.append(reinterpret_cast<const char*>(&v), 8);
  const fs::path f = temp("hand.npy");
  std::ofstream(f, std::ios::binary) << bytes;
  const NpyHeader h = read_npy_header(f.string());
  EXPECT_EQ(h.descr, "<i8");
  EXPECT_EQ(h.shape, (Shape{3}));
  EXPECT_EQ(h.data_offset, 128);
  const std::vector<uint8_t> row = read_npy_rows(h, 2, 3);
  int64_t v = 0;
  std::memcpy(&v, row.data(), 8);
  EXPECT_EQ(v, 300);
  std::ofstream(f, std::ios::binary) << bytes.substr(0, bytes.size() - 4);
  EXPECT_EQ(error_of([&] { read_npy_header(f.string()); }),
            f.string() + ": holds 20 data bytes; shape [3] of int64 ('<i8') needs 24");
}

TEST(Npy, WriterRoundTripsThroughTheReader) {
  const fs::path f = temp("w.npy");
  const std::vector<float> data = {1.5f, -2.0f, 0.25f, 8.0f, 9.0f, 10.0f};
  write_npy(f.string(), "<f4", {2, 3}, data.data(), data.size() * 4);
  const NpyHeader h = read_npy_header(f.string());
  EXPECT_EQ(h.shape, (Shape{2, 3}));
  EXPECT_EQ(h.data_offset % 64, 0);
  const std::vector<uint8_t> row = read_npy_rows(h, 1, 2);
  EXPECT_EQ(std::vector<float>(reinterpret_cast<const float*>(row.data()), reinterpret_cast<const float*>(row.data()) + 3),
            (std::vector<float>{8.0f, 9.0f, 10.0f}));
}

TEST(NpyDataset, RefusesOtherDtypesShapesAndLabels) {
  const ModelInput in{"input", {1, 2, 2}, 10};
  const std::vector<double> f64(8, 0.5);
  const fs::path x64 = temp("x64.npy"), y = temp("y.npy"), x = temp("x.npy"), ybad = temp("ybad.npy");
  write_npy(x64.string(), "<f8", {2, 1, 2, 2}, f64.data(), 64);
  const std::vector<int64_t> labels = {3, 12};
  write_npy(ybad.string(), "<i8", {2}, labels.data(), 16);
  const std::vector<int64_t> good = {3, 9};
  write_npy(y.string(), "<i8", {2}, good.data(), 16);
  EXPECT_EQ(error_of([&] { npy_dataset(x64.string(), y.string(), Preprocess(), in, "--data"); }),
            x64.string() + ": dtype float64 ('<f8') is not read (uint8 '|u1' images or float32 '<f4' network inputs)");
  const std::vector<uint8_t> u8(2 * 3 * 3, 7);
  write_npy(x.string(), "|u1", {2, 3, 3}, u8.data(), u8.size());
  EXPECT_EQ(error_of([&] { npy_dataset(x.string(), y.string(), Preprocess(), in, "--data " + x.string()); }),
            "model input 'input' is 1×1×2×2; --data " + x.string() + " gives 1×1×3×3 uint8 images (" + x.string() + ")");
  write_npy(x.string(), "|u1", {2, 2, 2}, u8.data(), 8);
  EXPECT_EQ(error_of([&] { npy_dataset(x.string(), ybad.string(), Preprocess(), in, "--data"); }),
            ybad.string() + ": label 12 at index 1 is outside [0, 10): the model output scores 10 classes");
  const Dataset d = npy_dataset(x.string(), y.string(), Preprocess(), in, "--data");
  EXPECT_EQ(d.count, 2);
  EXPECT_EQ(d.labels, (std::vector<int32_t>{3, 9}));
  EXPECT_EQ(d.batch(1, 2).data, std::vector<float>(4, 7 / 255.0f));
  const std::vector<float> f32(8, 0.5f);
  write_npy(x.string(), "<f4", {2, 1, 2, 2}, f32.data(), 32);
  Preprocess flags;
  flags.mean = {0.5f};
  flags.set_by_flags = true;
  EXPECT_EQ(error_of([&] { npy_dataset(x.string(), y.string(), flags, in, "--data"); }),
            x.string() + " holds float32 network inputs, used as they are: preprocessing (scale to [0,1], mean [0.5]) "
                         "applies to 8-bit images only");
}

// Pillow decodes the same files: Image.open(f).convert(mode) for mode "L" or "RGB".
std::vector<uint8_t> pillow_pixels(const fs::path& file, const char* mode) {
  const fs::path raw = file.string() + ".raw";
  const std::string cmd = "/usr/bin/python3 -c \"import sys; from PIL import Image; "
                          "open(sys.argv[2], 'wb').write(Image.open(sys.argv[1]).convert('" +
                          std::string(mode) + "').tobytes())\" " + file.string() + " " + raw.string();
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::ifstream in(raw, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

// Pillow writes the PNG kinds our writer does not (palette, alpha, 16-bit gray).
void pillow_write(const fs::path& file, const std::string& python_image) {
  const std::string cmd = "/usr/bin/python3 -c \"import numpy as np; from PIL import Image; a = np.arange(60, dtype=np.uint16)"
                          ".reshape(5, 12); " + python_image + ".save('" + file.string() + "')\"";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

TEST(ImageDecode, PngAndJpegEqualPillowsDecoding) {
  Image8 rgb = test_image();
  Image8 gray{5, 7, 1, {}};
  for (int i = 0; i < 35; ++i) gray.pixels.push_back(static_cast<uint8_t>(i * 7));
  const fs::path png = temp("rgb.png"), gpng = temp("gray.png"), jpg = temp("rgb.jpg"), gjpg = temp("gray.jpg");
  write_png(png.string(), rgb);
  write_png(gpng.string(), gray);
  write_jpeg(jpg.string(), rgb, 90);
  write_jpeg(gjpg.string(), gray, 75);
  EXPECT_EQ(decode_image(png.string()).pixels, rgb.pixels);
  EXPECT_EQ(decode_image(gpng.string()).pixels, gray.pixels);
  const Image8 j = decode_image(jpg.string());
  EXPECT_EQ(j.channels, 3);
  EXPECT_EQ(j.pixels, pillow_pixels(jpg, "RGB"));
  EXPECT_EQ(decode_image(gjpg.string()).pixels, pillow_pixels(gjpg, "L"));
  const ImageInfo info = read_image_info(jpg.string());
  EXPECT_EQ(info.height, 5);
  EXPECT_EQ(info.width, 7);
  EXPECT_STREQ(info.format, "JPEG");

  const fs::path pal = temp("pal.png"), rgba = temp("rgba.png"), la = temp("la.png");
  pillow_write(pal, "Image.fromarray((a * 4).astype(np.uint8), 'L').convert('P')");
  pillow_write(rgba, "Image.fromarray(np.stack([a * 4, a * 3, a * 2, 255 - a], 2).astype(np.uint8), 'RGBA')");
  pillow_write(la, "Image.fromarray((a * 4).astype(np.uint8), 'L').convert('LA')");
  EXPECT_EQ(decode_image(pal.string()).pixels, pillow_pixels(pal, "RGB"));
  EXPECT_EQ(decode_image(rgba.string()).pixels, pillow_pixels(rgba, "RGB"));  // alpha dropped, not composited
  EXPECT_EQ(decode_image(la.string()).pixels, pillow_pixels(la, "L"));
}

TEST(ImageDecode, SixteenBitPngIsScaledTo8Bits) {
  const fs::path f = temp("g16.png");
  pillow_write(f, "Image.fromarray((a * 1100).astype(np.uint16))");  // mode I;16, values 0-64900
  const Image8 img = decode_image(f.string());
  ASSERT_EQ(img.pixels.size(), 60u);
  for (int v = 0; v < 60; ++v)  // png_set_scale_16: round(v * 255 / 65535)
    EXPECT_EQ(img.pixels[v], (v * 1100 * 255 + 32767) / 65535) << v;
}

TEST(ImageDecode, BadFilesAreNamed) {
  const fs::path txt = temp("not.png"), cut = temp("cut.png");
  std::ofstream(txt) << "hello";
  EXPECT_EQ(error_of([&] { decode_image(txt.string()); }), txt.string() + ": not a PNG or JPEG file (unknown signature)");
  write_png(cut.string(), test_image());
  fs::resize_file(cut, 40);
  EXPECT_THAT(error_of([&] { decode_image(cut.string()); }), HasSubstr(cut.string() + ": not a valid PNG file ("));
  const fs::path wide = temp("wide.png");
  write_png(wide.string(), Image8{1, 16385, 1, std::vector<uint8_t>(16385, 1)});
  EXPECT_EQ(error_of([&] { decode_image(wide.string()); }),
            wide.string() + ": 1x16385 pixels; images are read up to 16384 pixels a side");
}

TEST(ImageFolder, ClassesSortedSamplesInterleavedSplitsFound) {
  const fs::path root = temp("folder");
  Image8 px{2, 2, 1, {0, 1, 2, 3}};
  for (const char* f : {"b/1.png", "b/2.PNG", "a/x.png", "c/k.jpg", "c/l.jpeg", "c/m.png"}) {
    fs::create_directories((root / f).parent_path());
    if (std::string(f).find("jp") != std::string::npos) write_jpeg((root / f).string(), px, 90);
    else write_png((root / f).string(), px);
  }
  std::ofstream(root / "README.txt") << "loose files beside the classes are ignored";
  const ImageFolderListing l = list_image_folder(root.string());
  EXPECT_EQ(l.classes, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(l.labels, (std::vector<int32_t>{0, 1, 2, 1, 2, 2}));
  EXPECT_EQ(fs::path(l.files[1]).filename(), "1.png");
  EXPECT_EQ(fs::path(l.files[3]).filename(), "2.PNG");
  std::string split;
  EXPECT_EQ(image_folder_split(root.string(), Split::Train, split), root.string());
  EXPECT_EQ(split, "all");
  const fs::path layout = temp("layout");
  fs::create_directories(layout / "train" / "a");
  fs::create_directories(layout / "val" / "a");
  EXPECT_EQ(image_folder_split(layout.string(), Split::Test, split), (layout / "val").string());
  EXPECT_EQ(split, "val");
  std::ofstream(root / "c" / "notes.txt") << "x";
  EXPECT_EQ(error_of([&] { list_image_folder(root.string()); }),
            (root / "c" / "notes.txt").string() + ": not a PNG or JPEG image name (.png, .jpg, .jpeg) in class folder 'c'");
  const fs::path empty = temp("empty");
  fs::create_directories(empty);
  EXPECT_EQ(error_of([&] { list_image_folder(empty.string()); }),
            empty.string() + ": no class sub-folders (an image-folder dataset holds one sub-folder of PNG/JPEG images per "
                             "class)");
}

TEST(DataSource, KindsFromThePath) {
  EXPECT_EQ(parse_data_source("synthetic", "", "--data").kind, DataSource::Kind::Synthetic);
  EXPECT_EQ(parse_data_source(kDefaultFashionMnistDir, "", "--data").kind, DataSource::Kind::FashionMnist);
  EXPECT_EQ(parse_data_source("/nonexistent/fmnist", "", "--data").kind, DataSource::Kind::FashionMnist);
  EXPECT_EQ(parse_data_source("x.npy", "y.npy", "--data").kind, DataSource::Kind::Npy);
  EXPECT_EQ(parse_data_source(::testing::TempDir(), "", "--data").kind, DataSource::Kind::ImageFolder);
  EXPECT_EQ(error_of([] { parse_data_source("x.npy", "", "--data"); }),
            "--data x.npy: a .npy dataset needs its labels (--labels FILE.npy, a grid's \"labels\")");
}

TEST(FashionMnistData, ShapeMismatchNamesBothSides) {
  EXPECT_EQ(error_of([] {
              open_dataset(parse_data_source(kDefaultFashionMnistDir, "", "--data"), Split::Test, Preprocess(),
                           ModelInput{"x", {3, 224, 224}, 1000});
            }),
            "model input 'x' is 1×3×224×224; --data gives 1×28×28 Fashion-MNIST images");
}

// The documented rule (models/synthetic.h), written out here from the header's text.
TEST(Synthetic, SamplesFollowTheDocumentedDistribution) {
  Preprocess pre;
  pre.mean = {0.5f, 0.25f};
  pre.std = {2.0f, 4.0f};
  const Dataset d = synthetic_dataset(7, Split::Test, 5, pre, ModelInput{"x", {2, 3, 4}, 10});
  EXPECT_FALSE(d.labelled());
  const Tensor t = d.batch(3, 5);
  ASSERT_EQ(t.shape, (Shape{2, 2, 3, 4}));
  for (uint32_t i : {3u, 4u}) {
    std::seed_seq seq{7u, 0u, i, 0u};
    std::mt19937 gen(seq);
    for (int e = 0; e < 24; ++e) {
      const float v = static_cast<float>(gen() >> 24) / 255.0f;
      const int c = e / 12;
      EXPECT_EQ(t.data[(i - 3) * 24 + e], (v - pre.mean[c]) / pre.std[c]) << "sample " << i << " element " << e;
    }
  }
  const Dataset calib = synthetic_dataset(7, Split::Train, 5, pre, ModelInput{"x", {2, 3, 4}, 10});
  EXPECT_NE(calib.batch(3, 4).data, d.batch(3, 4).data);  // the calibration split draws other images
}

}  // namespace
}  // namespace qarray
