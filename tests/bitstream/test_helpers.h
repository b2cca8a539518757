// Small valid .vae streams for the container tests.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "bitstream/enc_container.h"

namespace vaec::bitstream::test {

inline StreamHeader small_header() {
  StreamHeader h;
  h.width = 64;
  h.height = 48;
  h.fps_num = 30000;
  h.fps_den = 1001;
  h.gop = 3;
  h.frame_count = 0;
  h.quality = 42;
  h.encoder_version = 0x000100;
  for (size_t i = 0; i < h.model_hash.size(); ++i) h.model_hash[i] = uint8_t(i * 17 + 3);
  return h;
}

struct TestFrame {
  PacketType type;
  uint64_t display_index;
  std::vector<uint8_t> payload;
};

// `count` frames, an I frame every gop, random payloads (some empty).
inline std::vector<TestFrame> make_frames(int count, uint32_t gop, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<TestFrame> frames;
  for (int i = 0; i < count; ++i) {
    TestFrame f{i % int(gop) == 0 ? PacketType::kIntraFrame : PacketType::kInterFrame, uint64_t(i), {}};
    f.payload.resize(i == 2 ? 0 : rng() % 40);
    for (uint8_t& b : f.payload) b = uint8_t(rng());
    frames.push_back(std::move(f));
  }
  return frames;
}

inline std::vector<uint8_t> write_stream(const StreamHeader& h, const std::vector<TestFrame>& frames,
                                         bool finish = true) {
  std::vector<uint8_t> bytes;
  VectorSink sink(&bytes);
  ContainerWriter w(&sink);
  if (!w.write_header(h).ok()) return {};
  for (const TestFrame& f : frames)
    if (!w.write_frame(f.type, f.display_index, f.payload.data(), f.payload.size()).ok()) return {};
  if (finish && !w.finish().ok()) return {};
  return bytes;
}

}  // namespace vaec::bitstream::test
