#include "train/dataset.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <mutex>
#include <thread>

#include "io/video_reader.h"

namespace vaec::train {

namespace fs = std::filesystem;

namespace {

bool has_extension(const fs::path& p, std::initializer_list<const char*> exts) {
  std::string e = p.extension().string();
  std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  for (const char* x : exts)
    if (e == x) return true;
  return false;
}

bool is_image(const fs::path& p) {
  return has_extension(p, {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp", ".ppm", ".pgm"});
}
bool is_video(const fs::path& p) {
  return has_extension(p, {".avi", ".mov", ".mp4", ".mkv", ".webm", ".ogv", ".y4m", ".mpg", ".mpeg"});
}

// Decodes one file into items (a still, or frames of a video).
std::vector<Item> load_file(const fs::path& path, int sequence, const DatasetOptions& opt) {
  std::vector<Item> out;
  auto reader = io::VideoReader::open(path.string());
  const bool video = is_video(path);
  const auto& info = reader->info();
  if (info.width < opt.min_side || info.height < opt.min_side) return out;
  if (!video) {
    Item it;
    if (!reader->read(it.frame)) return out;
    it.source = path.string();
    const double area = double(it.frame.width) * it.frame.height;
    it.weight = std::sqrt(area);
    out.push_back(std::move(it));
    // Downscaled copies: less noise, more structure per crop (scale augmentation).
    if (opt.downscaled_copies) {
      for (int k = 0; k < 2; ++k) {
        const Frame& last = out.back().frame;
        if (std::min(last.width, last.height) < 2 * std::max(opt.min_side, 384)) break;
        Item small;
        small.frame = downscale2x(last);
        small.source = path.string();
        small.weight = 0.5 * std::sqrt(double(small.frame.width) * small.frame.height);
        out.push_back(std::move(small));
      }
    }
    return out;
  }
  // Video: keep consecutive pairs spread over the clip.
  const int64_t count = info.frame_count > 0 ? info.frame_count : 300;
  const int pairs = std::max(1, opt.max_video_frames / 2);
  const int64_t step = std::max<int64_t>(2, count / pairs);
  Frame f;
  for (int64_t i = 0; reader->read(f) && int(out.size()) < opt.max_video_frames; ++i) {
    const int64_t phase = i % step;
    if (phase > 1) continue;
    Item it;
    it.frame = f;
    it.sequence = sequence;
    it.source = path.string();
    out.push_back(std::move(it));
    if (phase == 1 && out.size() >= 2 && out[out.size() - 2].sequence == sequence)
      out[out.size() - 2].next = int(out.size() - 1);  // local index, rebased by the caller
  }
  // A video counts as a few stills in total, whatever its length.
  for (auto& it : out)
    it.weight = 3.0 * std::sqrt(double(it.frame.width) * it.frame.height) / double(out.size());
  return out;
}

}  // namespace

Frame crop_frame(const Frame& f, int x, int y, int width, int height) {
  Frame c;
  c.allocate(width, height);
  for (int p = 0; p < 3; ++p) {
    const int sx = p ? x / 2 : x, sy = p ? y / 2 : y;
    const int w = c.plane_width(p), h = c.plane_height(p), fw = f.plane_width(p);
    for (int r = 0; r < h; ++r)
      std::copy_n(f.planes[p].data() + size_t(sy + r) * fw + sx, w,
                  c.planes[p].data() + size_t(r) * w);
  }
  return c;
}

Frame mirror_frame(const Frame& f) {
  Frame m = f;
  for (int p = 0; p < 3; ++p) {
    const int w = f.plane_width(p), h = f.plane_height(p);
    for (int r = 0; r < h; ++r) {
      auto* row = m.planes[p].data() + size_t(r) * w;
      std::reverse(row, row + w);
    }
  }
  return m;
}

Frame downscale2x(const Frame& f) {
  Frame d;
  d.allocate((f.width / 4) * 2, (f.height / 4) * 2);
  for (int p = 0; p < 3; ++p) {
    const int w = d.plane_width(p), h = d.plane_height(p), fw = f.plane_width(p);
    const uint8_t* s = f.planes[p].data();
    for (int r = 0; r < h; ++r)
      for (int c = 0; c < w; ++c) {
        const size_t i = size_t(2 * r) * fw + 2 * c;
        d.planes[p][size_t(r) * w + c] = uint8_t((s[i] + s[i + 1] + s[i + fw] + s[i + fw + 1] + 2) / 4);
      }
  }
  return d;
}

Dataset Dataset::load(const std::string& dir, const DatasetOptions& opt,
                      const std::function<void(const std::string&)>& log) {
  if (!fs::is_directory(dir)) throw DataError("training data folder not found: " + dir);
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(dir, fs::directory_options::follow_directory_symlink))
    if (e.is_regular_file() && (is_image(e.path()) || is_video(e.path()))) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  if (opt.max_files && files.size() > opt.max_files) files.resize(opt.max_files);
  if (files.empty()) throw DataError("no images or videos found under " + dir);

  std::vector<std::vector<Item>> loaded(files.size());
  std::atomic<size_t> next{0}, done{0};
  std::mutex log_mutex;
  auto worker = [&] {
    for (size_t i; (i = next++) < files.size();) {
      try {
        loaded[i] = load_file(files[i], int(i), opt);
      } catch (const std::exception& e) {
        std::lock_guard<std::mutex> lock(log_mutex);
        log("skipping " + files[i].string() + ": " + e.what());
      }
      const size_t n = ++done;
      if (n % 100 == 0) {
        std::lock_guard<std::mutex> lock(log_mutex);
        log("decoded " + std::to_string(n) + "/" + std::to_string(files.size()) + " files");
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < std::max(1, opt.threads); ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();

  Dataset ds;
  std::vector<double> weights;
  for (auto& items : loaded) {
    if (items.empty()) continue;
    ++ds.files_;
    const int base = int(ds.items_.size());
    for (auto& it : items) {
      if (it.next >= 0) it.next += base;
      weights.push_back(it.weight);
      ds.items_.push_back(std::move(it));
    }
  }
  if (ds.items_.empty()) throw DataError("no usable images or videos under " + dir +
                                         " (each needs at least " + std::to_string(opt.min_side) +
                                         " pixels per side)");
  ds.pick_ = std::discrete_distribution<size_t>(weights.begin(), weights.end());
  for (size_t i = 0; i < ds.items_.size(); ++i)
    if (ds.items_[i].next >= 0) ds.video_pairs_.push_back(i);
  return ds;
}

CropChoice Dataset::choose_crop(std::mt19937_64& rng, int size) const {
  CropChoice c;
  c.item = pick_(rng);
  const Frame& f = items_[c.item].frame;
  c.width = std::min(size, f.width & ~1);
  c.height = std::min(size, f.height & ~1);
  c.x = 2 * int(rng() % uint64_t((f.width - c.width) / 2 + 1));
  c.y = 2 * int(rng() % uint64_t((f.height - c.height) / 2 + 1));
  c.mirror = rng() & 1;
  return c;
}

Frame Dataset::crop(const CropChoice& c) const {
  Frame f = crop_frame(items_[c.item].frame, c.x, c.y, c.width, c.height);
  return c.mirror ? mirror_frame(f) : f;
}

std::pair<Frame, Frame> Dataset::random_pair(std::mt19937_64& rng, int size, int max_shift) const {
  return pair_from(pick_(rng), rng, size, max_shift);
}

CropChoice Dataset::choose_video_pair(std::mt19937_64& rng, int size) const {
  if (video_pairs_.empty()) throw DataError("the training media hold no video frame pairs");
  // The draws of pair_from's real-motion branch, in its order.
  CropChoice c;
  c.item = video_pairs_[size_t(rng() % video_pairs_.size())];
  const Frame& f = items_[c.item].frame;
  c.mirror = rng() & 1;
  c.x = 2 * int(rng() % uint64_t((f.width - size) / 2 + 1));
  c.y = 2 * int(rng() % uint64_t((f.height - size) / 2 + 1));
  c.width = c.height = size;
  return c;
}

std::pair<Frame, Frame> Dataset::video_pair(const CropChoice& c) const {
  const Item& it = items_[c.item];
  Frame a = crop_frame(it.frame, c.x, c.y, c.width, c.height);
  Frame b = crop_frame(items_[it.next].frame, c.x, c.y, c.width, c.height);
  return c.mirror ? std::make_pair(mirror_frame(a), mirror_frame(b)) : std::make_pair(a, b);
}

std::pair<Frame, Frame> Dataset::pair_from(size_t i, std::mt19937_64& rng, int size, int max_shift) const {
  const Item& it = items_[i];
  const Frame& f = it.frame;
  const bool mirror = rng() & 1;
  auto finish = [&](Frame a, Frame b) {
    return mirror ? std::make_pair(mirror_frame(a), mirror_frame(b)) : std::make_pair(a, b);
  };
  if (it.next >= 0) {  // real motion
    const int x = 2 * int(rng() % uint64_t((f.width - size) / 2 + 1));
    const int y = 2 * int(rng() % uint64_t((f.height - size) / 2 + 1));
    return finish(crop_frame(f, x, y, size, size), crop_frame(items_[it.next].frame, x, y, size, size));
  }
  // Synthetic pan: the same still, the second crop displaced by an even (dx, dy).
  const int s = std::max(0, std::min(max_shift, (std::min(f.width, f.height) - size) / 2)) / 2;
  const int dx = s ? 2 * (int(rng() % uint64_t(2 * s + 1)) - s) : 0;
  const int dy = s ? 2 * (int(rng() % uint64_t(2 * s + 1)) - s) : 0;
  const int lo_x = std::max(0, -dx), hi_x = std::min(f.width, f.width - dx) - size;
  const int lo_y = std::max(0, -dy), hi_y = std::min(f.height, f.height - dy) - size;
  const int x = lo_x + 2 * int(rng() % uint64_t(std::max(0, hi_x - lo_x) / 2 + 1));
  const int y = lo_y + 2 * int(rng() % uint64_t(std::max(0, hi_y - lo_y) / 2 + 1));
  return finish(crop_frame(f, x, y, size, size), crop_frame(f, x + dx, y + dy, size, size));
}

}  // namespace vaec::train
