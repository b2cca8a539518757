// Round trips through the FFmpeg-based reader and writer, and their error paths.
#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

#include <sys/stat.h>

#include "io/ffmpeg_error.h"
#include "io/video_reader.h"
#include "io/video_writer.h"
#include "metrics/psnr.h"
#include "support/test_support.h"

using namespace vaec;
using vaec::io::IoError;

namespace {

std::vector<Frame> make_clip(int width, int height, int count) {
  std::vector<Frame> clip;
  for (int i = 0; i < count; ++i) clip.push_back(test::make_frame(width, height, i));
  return clip;
}

void write_clip(const std::string& path, const std::vector<Frame>& clip, Rational rate) {
  auto writer = io::VideoWriter::create(path, clip[0].width, clip[0].height, rate);
  for (const auto& f : clip) writer->write(f);
  writer->finish();
}

std::vector<Frame> read_all(io::VideoReader& reader) {
  std::vector<Frame> frames;
  Frame f;
  while (reader.read(f)) frames.push_back(f);
  return frames;
}

}  // namespace

TEST_CASE("y4m and FFV1 mkv round trips are bit-exact, odd sizes and rates kept", "[io]") {
  test::TempDir tmp;
  const Rational ntsc{30000, 1001};
  auto clip = make_clip(63, 35, 5);  // odd on both axes: chroma is 32x18
  for (const char* ext : {"y4m", "mkv"}) {
    DYNAMIC_SECTION("format " << ext) {
      std::string path = tmp.path(std::string("clip.") + ext);
      write_clip(path, clip, ntsc);
      auto reader = io::VideoReader::open(path);
      CHECK(reader->info().width == 63);
      CHECK(reader->info().height == 35);
      CHECK(reader->info().frame_rate == ntsc);
      CHECK_FALSE(reader->info().converted);
      auto back = read_all(*reader);
      REQUIRE(back.size() == clip.size());
      for (size_t i = 0; i < clip.size(); ++i)
        for (int p = 0; p < 3; ++p) CHECK(back[i].planes[p] == clip[i].planes[p]);
    }
  }
}

TEST_CASE("mp4 output is H.264, keeps count, size and rate, and is visually lossless", "[io]") {
  test::TempDir tmp;
  auto clip = make_clip(96, 64, 6);
  std::string path = tmp.path("clip.mp4");
  write_clip(path, clip, Rational{25, 1});
  auto reader = io::VideoReader::open(path);
  CHECK(reader->info().width == 96);
  CHECK(reader->info().height == 64);
  CHECK(reader->info().frame_rate == Rational{25, 1});
  auto back = read_all(*reader);
  REQUIRE(back.size() == clip.size());
  for (size_t i = 0; i < clip.size(); ++i) CHECK(metrics::frame_psnr(clip[i], back[i]).yuv() > 40.0);
  auto probe = test::run("ffprobe -v error -select_streams v:0 -show_entries stream=codec_name,pix_fmt -of csv=p=0 " + path);
  CHECK(probe.output.find("h264,yuv420p") != std::string::npos);
}

TEST_CASE(".yuv output is the bare planes, bit-exact and readable back with --size", "[io]") {
  test::TempDir tmp;
  auto clip = make_clip(63, 35, 4);  // odd sizes: chroma planes are 32x18
  const std::string path = tmp.path("clip.yuv");
  write_clip(path, clip, Rational{25, 1});
  CHECK(std::filesystem::file_size(path) == 4u * (63 * 35 + 2 * 32 * 18));  // no header, no padding
  io::RawVideoOptions raw;
  raw.width = 63;
  raw.height = 35;
  auto back = read_all(*io::VideoReader::open(path, raw));
  REQUIRE(back.size() == clip.size());
  for (size_t i = 0; i < clip.size(); ++i)
    for (int p = 0; p < 3; ++p) CHECK(back[i].planes[p] == clip[i].planes[p]);
}

TEST_CASE("raw .yuv input needs its size and reads exact frames", "[io]") {
  test::TempDir tmp;
  auto clip = make_clip(20, 10, 3);
  std::string path = tmp.path("clip.yuv");
  {
    std::ofstream out(path, std::ios::binary);
    for (const auto& f : clip)
      for (const auto& plane : f.planes) out.write(reinterpret_cast<const char*>(plane.data()), plane.size());
  }
  CHECK_THROWS_WITH(io::VideoReader::open(path), Catch::Contains("--size"));
  io::RawVideoOptions raw;
  raw.width = 20;
  raw.height = 10;
  raw.frame_rate = Rational{50, 1};
  auto reader = io::VideoReader::open(path, raw);
  CHECK(reader->info().frame_rate == Rational{50, 1});
  auto back = read_all(*reader);
  REQUIRE(back.size() == 3);
  CHECK(back[2].planes[0] == clip[2].planes[0]);
  CHECK(back[2].planes[2] == clip[2].planes[2]);

  // A size that does not divide the file (here a wrong --size) is named as the likely cause.
  raw.width = 16;
  CHECK_THROWS_WITH(io::VideoReader::open(path, raw), Catch::Contains("not a whole number of 16x10") &&
                                                          Catch::Contains("check --size"));
  // Through a FIFO the size is unknown up front: the partial last frame is named instead.
  const std::string fifo = tmp.path("pipe.yuv");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  std::signal(SIGPIPE, SIG_IGN);  // should the reader give up before the writer is done
  std::thread feed([&] {
    std::ifstream in(path, std::ios::binary);
    std::ofstream(fifo, std::ios::binary) << in.rdbuf();  // 900 bytes: 3.75 frames of 16x10
  });
  try {
    auto piped = io::VideoReader::open(fifo, raw);
    CHECK_THROWS_WITH(read_all(*piped), Catch::Contains("partial frame") && Catch::Contains("check --size"));
  } catch (...) {
    feed.join();
    throw;
  }
  feed.join();
}

TEST_CASE("the bundled sample reads with its frame count, size and rate", "[io]") {
  auto reader = io::VideoReader::open(test::sample_path());
  CHECK(reader->info().width == 720);
  CHECK(reader->info().height == 576);
  CHECK(reader->info().frame_rate == Rational{25, 1});
  CHECK(read_all(*reader).size() == 77);
}

TEST_CASE("non-4:2:0 input is converted with swscale and says so", "[io]") {
  test::TempDir tmp;
  std::string path = tmp.path("rgb.png");
  auto r = test::run("ffmpeg -v error -f lavfi -i testsrc=size=33x17:rate=1 -frames:v 1 -pix_fmt rgb24 " + path);
  REQUIRE(r.exit_code == 0);
  auto reader = io::VideoReader::open(path);
  CHECK(reader->info().converted);
  CHECK(reader->info().source_pixel_format == "rgb24");
  Frame f;
  REQUIRE(reader->read(f));
  CHECK(f.width == 33);
  CHECK(f.planes[1].size() == 17 * 9);
}

TEST_CASE("unreadable inputs give one clear error naming the file", "[io][errors]") {
  test::TempDir tmp;
  SECTION("missing") {
    CHECK_THROWS_WITH(io::VideoReader::open(tmp.path("nope.mp4")), Catch::Contains("nope.mp4") && Catch::Contains("no such file"));
  }
  SECTION("empty") {
    std::ofstream(tmp.path("empty.mp4")).flush();
    CHECK_THROWS_WITH(io::VideoReader::open(tmp.path("empty.mp4")), Catch::Contains("empty"));
  }
  SECTION("not a video") {
    std::ofstream(tmp.path("text.mkv")) << "this is not a video file at all\n";
    CHECK_THROWS_AS(io::VideoReader::open(tmp.path("text.mkv")), IoError);
  }
  SECTION("directory") {
    CHECK_THROWS_WITH(io::VideoReader::open(tmp.dir()), Catch::Contains("directory"));
  }
  SECTION("truncated") {
    std::ifstream in(test::sample_path(), std::ios::binary);
    std::string head(4000, '\0');
    in.read(&head[0], head.size());
    std::ofstream(tmp.path("cut.mp4"), std::ios::binary) << head;
    // The mp4 index (moov) sits at the end of the sample: a truncated file cannot be opened.
    CHECK_THROWS_AS(io::VideoReader::open(tmp.path("cut.mp4")), IoError);
  }
}

TEST_CASE("writers refuse bad outputs and never leave partial files", "[io][errors]") {
  test::TempDir tmp;
  auto frame = test::make_frame(16, 16, 0);
  SECTION("unknown extension") {
    CHECK_THROWS_WITH(io::VideoWriter::create(tmp.path("out.xyz"), 16, 16, {25, 1}),
                      Catch::Contains("out.xyz") && Catch::Contains("extension"));
    CHECK(test::count_entries(tmp.dir()) == 0);
  }
  SECTION("unwritable directory") {
    CHECK_THROWS_WITH(io::VideoWriter::create(tmp.path("missing/out.mkv"), 16, 16, {25, 1}),
                      Catch::Contains("cannot write"));
  }
  SECTION("abandoned before finish") {
    {
      auto writer = io::VideoWriter::create(tmp.path("out.mkv"), 16, 16, {25, 1});
      writer->write(frame);
    }
    CHECK(test::count_entries(tmp.dir()) == 0);
  }
  SECTION("frame of the wrong size") {
    auto writer = io::VideoWriter::create(tmp.path("out.y4m"), 16, 16, {25, 1});
    CHECK_THROWS_AS(writer->write(test::make_frame(8, 8, 0)), IoError);
  }
  SECTION("finished output appears under its name only") {
    auto writer = io::VideoWriter::create(tmp.path("out.mkv"), 16, 16, {25, 1});
    writer->write(frame);
    CHECK_FALSE(test::file_exists(tmp.path("out.mkv")));
    writer->finish();
    CHECK(test::file_exists(tmp.path("out.mkv")));
    CHECK(test::count_entries(tmp.dir()) == 1);
  }
}
