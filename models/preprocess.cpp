// The preprocessing pipeline (models/preprocess.h): channel conversion, channel order, bilinear
// resize, centre crop, scale, normalization; its JSON file and flag texts.
#include "models/preprocess.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/errors.h"
#include "base/json_reader.h"

namespace qarray {
namespace {

using nlohmann::json;

constexpr int64_t kMaxSide = kMaxImageSide;

std::string size_text(const std::vector<int64_t>& s) {
  return s.size() == 1 ? std::to_string(s[0]) : std::to_string(s[0]) + "x" + std::to_string(s[1]);
}

std::string values_text(const std::vector<float>& v) {
  std::ostringstream out;
  out << "[";
  for (size_t i = 0; i < v.size(); ++i) out << (i ? "," : "") << v[i];
  out << "]";
  return out.str();
}

// Step 1 and 2: the image with `channels` channels in the configured order, as float HWC.
std::vector<float> to_channels(const Image8& img, int64_t channels, ChannelOrder order) {
  const int64_t n = img.height * img.width;
  std::vector<float> out(static_cast<size_t>(n * channels));
  const uint8_t* p = img.pixels.data();
  for (int64_t i = 0; i < n; ++i) {
    float* o = out.data() + i * channels;
    const uint8_t* s = p + i * img.channels;
    if (img.channels == channels) {
      for (int64_t c = 0; c < channels; ++c) o[c] = s[c];
    } else if (img.channels == 1) {  // gray -> RGB
      for (int64_t c = 0; c < channels; ++c) o[c] = s[0];
    } else {  // RGB -> gray, PIL's "L" conversion
      o[0] = static_cast<float>((19595u * s[0] + 38470u * s[1] + 7471u * s[2] + 0x8000u) >> 16);
    }
    if (order == ChannelOrder::Bgr && channels == 3) std::swap(o[0], o[2]);
  }
  return out;
}

// Step 3: bilinear, half-pixel centres, no antialiasing, in float as PyTorch's CPU kernel.
struct Tap {
  int64_t i0, i1;
  float l0, l1;
};
std::vector<Tap> taps(int64_t in, int64_t out) {
  std::vector<Tap> t(static_cast<size_t>(out));
  const float scale = static_cast<float>(in) / static_cast<float>(out);
  for (int64_t d = 0; d < out; ++d) {
    float src = scale * (static_cast<float>(d) + 0.5f) - 0.5f;
    if (src < 0) src = 0;
    const int64_t i0 = static_cast<int64_t>(src);
    const float l1 = src - static_cast<float>(i0);
    t[d] = {i0, i0 < in - 1 ? i0 + 1 : i0, 1.0f - l1, l1};
  }
  return t;
}

std::vector<float> resize_bilinear(const std::vector<float>& src, int64_t h, int64_t w, int64_t c, int64_t oh,
                                   int64_t ow) {
  if (oh == h && ow == w) return src;
  const std::vector<Tap> ty = taps(h, oh), tx = taps(w, ow);
  std::vector<float> out(static_cast<size_t>(oh * ow * c));
  for (int64_t y = 0; y < oh; ++y)
    for (int64_t x = 0; x < ow; ++x)
      for (int64_t k = 0; k < c; ++k) {
        auto at = [&](int64_t yy, int64_t xx) { return src[(yy * w + xx) * c + k]; };
        const Tap &a = ty[y], &b = tx[x];
        out[(y * ow + x) * c + k] = a.l0 * (b.l0 * at(a.i0, b.i0) + b.l1 * at(a.i0, b.i1)) +
                                    a.l1 * (b.l0 * at(a.i1, b.i0) + b.l1 * at(a.i1, b.i1));
      }
  return out;
}

std::pair<int64_t, int64_t> resized(const std::vector<int64_t>& resize, int64_t h, int64_t w) {
  if (resize.empty()) return {h, w};
  if (resize.size() == 2) return {resize[0], resize[1]};
  const int64_t n = resize[0];
  if (h <= w) return {n, std::max<int64_t>(1, n * w / h)};
  return {std::max<int64_t>(1, n * h / w), n};
}

}  // namespace

bool Preprocess::is_default() const {
  return channel_order == ChannelOrder::Rgb && resize.empty() && crop.empty() && mean.empty() && std.empty();
}

std::pair<int64_t, int64_t> Preprocess::output_size(int64_t height, int64_t width) const {
  const auto [h, w] = resized(resize, height, width);
  if (crop.empty()) return {h, w};
  if (crop[0] > h || crop[1] > w)
    throw InputError("crop " + size_text(crop) + " is larger than the " + std::to_string(h) + "x" + std::to_string(w) +
                     " image" + (resize.empty() ? "" : " (after resize " + size_text(resize) + ")"));
  return {crop[0], crop[1]};
}

float Preprocess::normalize(float value, int64_t c) const {
  float v = value / 255.0f;
  if (mean.empty() && std.empty()) return v;
  const float m = mean.empty() ? 0.0f : mean[mean.size() == 1 ? 0 : c];
  const float s = std.empty() ? 1.0f : std[std.size() == 1 ? 0 : c];
  return (v - m) / s;
}

void Preprocess::apply(const Image8& img, int64_t channels, int64_t height, int64_t width, float* out) const {
  const auto [rh, rw] = resized(resize, img.height, img.width);
  const auto [oh, ow] = output_size(img.height, img.width);
  if (oh != height || ow != width)
    throw InputError("a " + std::to_string(img.height) + "x" + std::to_string(img.width) + " image becomes " +
                     std::to_string(oh) + "x" + std::to_string(ow) + ", not " + std::to_string(height) + "x" +
                     std::to_string(width));
  const std::vector<float> hwc =
      resize_bilinear(to_channels(img, channels, channel_order), img.height, img.width, channels, rh, rw);
  const int64_t top = (rh - oh) / 2, left = (rw - ow) / 2;
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t x = 0; x < ow; ++x)
        out[(c * oh + y) * ow + x] = normalize(hwc[((top + y) * rw + left + x) * channels + c], c);
}

void Preprocess::check_channels(int64_t channels, const std::string& where) const {
  for (const auto* v : {&mean, &std})
    if (v->size() > 1 && static_cast<int64_t>(v->size()) != channels)
      throw InputError(where + ": " + (v == &mean ? "mean" : "std") + " has " + std::to_string(v->size()) +
                       " values, the model input has " + std::to_string(channels) + " channel(s)");
}

std::string Preprocess::describe() const {
  if (is_default()) return "scale to [0,1] only";
  std::string s;
  auto add = [&](const std::string& part) { s += (s.empty() ? "" : ", ") + part; };
  if (channel_order == ChannelOrder::Bgr) add("bgr");
  if (!resize.empty()) add("resize " + size_text(resize) + " bilinear");
  if (!crop.empty()) add("centre crop " + size_text(crop));
  add("scale to [0,1]");
  if (!mean.empty()) add("mean " + values_text(mean));
  if (!std.empty()) add("std " + values_text(std));
  return s;
}

std::string preprocess_file_beside(const std::string& model_path) {
  const std::string ext = ".onnx";
  std::string stem = model_path;
  if (stem.size() > ext.size() && stem.compare(stem.size() - ext.size(), ext.size(), ext) == 0)
    stem.resize(stem.size() - ext.size());
  return stem + ".preprocess.json";
}

std::vector<int64_t> parse_image_size(const std::string& text, const std::string& what, bool short_side) {
  const size_t x = text.find('x');
  std::vector<int64_t> out;
  try {
    for (const std::string& part : x == std::string::npos ? std::vector<std::string>{text}
                                                          : std::vector<std::string>{text.substr(0, x), text.substr(x + 1)}) {
      size_t used = 0;
      const long long v = std::stoll(part, &used);
      if (used != part.size() || part.empty() || !std::isdigit(static_cast<unsigned char>(part[0])))
        throw std::invalid_argument(part);
      out.push_back(v);
    }
  } catch (const std::logic_error&) {
    out.clear();
  }
  bool ok = !out.empty();
  for (int64_t v : out) ok = ok && v >= 1 && v <= kMaxSide;
  if (!ok)
    throw InputError(what + " '" + text + "': expected " + (short_side ? "N (the shorter side)" : "N (N x N)") +
                     " or HxW, sizes 1-" + std::to_string(kMaxSide));
  if (out.size() == 1 && !short_side) out.push_back(out[0]);
  return out;
}

std::vector<float> parse_channel_values(const std::string& text, const std::string& what, bool positive) {
  std::vector<float> out;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, ',')) {
    size_t used = 0;
    float v = 0;
    try {
      v = std::stof(part, &used);
    } catch (const std::logic_error&) {
      used = 0;
    }
    if (used == 0 || used != part.size() || !std::isfinite(v) || (positive && !(v > 0)))
      throw InputError(what + " '" + text + "': '" + part + "' is not a " + (positive ? "positive " : "") +
                       "number (one value, or one per channel separated by commas)");
    out.push_back(v);
  }
  if (out.empty()) throw InputError(what + " '" + text + "': expected one value, or one per channel separated by commas");
  return out;
}

ChannelOrder parse_channel_order(const std::string& text, const std::string& what) {
  if (text == "rgb") return ChannelOrder::Rgb;
  if (text == "bgr") return ChannelOrder::Bgr;
  throw InputError(what + " '" + text + "': expected rgb or bgr");
}

Preprocess preprocess_for_model(const std::string& model_path) {
  const std::string beside = preprocess_file_beside(model_path);
  std::error_code ec;
  return std::filesystem::exists(beside, ec) ? load_preprocess_file(beside) : Preprocess();
}

Preprocess load_preprocess_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path + ": cannot read the preprocessing file");
  std::stringstream text;
  text << in.rdbuf();
  json doc;
  try {
    doc = json::parse(text.str());
  } catch (const json::exception& e) {
    const std::string what = e.what();
    throw InputError(path + ": not valid JSON (" + what.substr(what.find(']') + 2) + ")");
  }
  if (!doc.is_object()) throw InputError(path + ": expected a JSON object of preprocessing keys");
  Preprocess p;
  p.source = path;
  auto size = [&](const std::string& key, bool short_side) {
    const json& v = doc[key];
    if (v.is_number()) {
      const int64_t n = json_integer(v, path, key, 1, kMaxSide);
      return short_side ? std::vector<int64_t>{n} : std::vector<int64_t>{n, n};
    }
    const json& l = json_list(v, path, key);
    if (l.size() != 2) json_fail(path, key, "expected N or [H, W], got " + json_excerpt(v));
    return std::vector<int64_t>{json_integer(l[0], path, key + "[0]", 1, kMaxSide),
                                json_integer(l[1], path, key + "[1]", 1, kMaxSide)};
  };
  auto values = [&](const std::string& key, bool positive) {
    const json& l = json_list(doc[key], path, key);
    if (l.empty()) json_fail(path, key, "expected one value or one per channel, got []");
    std::vector<float> out;
    for (size_t i = 0; i < l.size(); ++i) {
      const std::string k = key + "[" + std::to_string(i) + "]";
      const double v = json_number(l[i], path, k);
      if (positive && !(v > 0)) json_fail(path, k, "expected a positive number, got " + json_excerpt(l[i]));
      out.push_back(static_cast<float>(v));
    }
    return out;
  };
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    const std::string& key = it.key();
    if (key == "resize") p.resize = size(key, true);
    else if (key == "crop") p.crop = size(key, false);
    else if (key == "mean") p.mean = values(key, false);
    else if (key == "std") p.std = values(key, true);
    else if (key == "channel_order") p.channel_order = parse_channel_order(json_string(*it, path, key), path + ": " + key);
    else
      throw InputError(path + ": " + key + ": unknown key (known: channel_order, crop, mean, resize, std)");
  }
  return p;
}

}  // namespace qarray
