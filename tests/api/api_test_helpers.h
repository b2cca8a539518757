// Helpers of the C API tests: a tiny model, and whole-stream encode/decode through vaec.h.
// Includes Catch itself, after LibTorch's headers (whose glog CHECK would replace Catch's).
#pragma once

#include <cstring>
#include <string>
#include <vector>

#include "api/encoder.h"
#include "common/frame.h"
#include "model/model_file.h"
#include "vaec/vaec.h"

#undef CHECK
#include <catch2/catch.hpp>

namespace vaec::test {

// A small untrained model saved to `path` (seeded, so two calls with other seeds differ).
inline void write_tiny_model(const std::string& path, uint64_t seed) {
  torch::manual_seed(seed);
  model::VaeConfig config;
  config.N = 8;
  config.M = 8;
  config.Nz = 4;
  model::IntraModel::from_network(model::Vae(config)).save(path);
}

struct Encoded {
  std::vector<std::vector<uint8_t>> records;  // header first
  std::vector<VaecFrameType> types;           // of each record
  std::vector<Frame> reconstructions;
};

inline VaecSettings settings_for(const std::string& model, int w, int h) {
  VaecSettings s;
  vaec_default_settings(&s);
  s.model_path = model.c_str();
  s.width = w;
  s.height = h;
  s.quality = 70;
  s.threads = 1;
  return s;
}

inline VaecPicture picture_of(const Frame& f) {
  VaecPicture p{};
  p.width = f.width;
  p.height = f.height;
  p.format = VAEC_PIX_FMT_YUV420P;
  for (int i = 0; i < 3; ++i) {
    p.data[i] = const_cast<uint8_t*>(f.planes[i].data());
    p.stride[i] = f.plane_width(i);
  }
  return p;
}

inline Encoded encode(const VaecSettings& s, const std::vector<Frame>& frames) {
  VaecContext* ctx = nullptr;
  REQUIRE(vaec_encoder_open(&ctx, &s) == VAEC_OK);
  Encoded out;
  for (size_t i = 0; i <= frames.size(); ++i) {
    VaecPicture pic{};
    if (i < frames.size()) pic = picture_of(frames[i]);
    REQUIRE(vaec_send_frame(ctx, i < frames.size() ? &pic : nullptr) == VAEC_OK);
    VaecPacket pkt;
    int res;
    while ((res = vaec_receive_packet(ctx, &pkt)) == VAEC_OK) {
      out.records.emplace_back(pkt.data, pkt.data + pkt.size);
      out.types.push_back(pkt.frame_type);
      vaec_packet_unref(&pkt);
    }
    CHECK((res == VAEC_EAGAIN || res == VAEC_EOF));
  }
  vaec_close(&ctx);
  CHECK(ctx == nullptr);
  return out;
}

struct Decoded {
  std::vector<Frame> frames;
  std::vector<VaecFrameType> types;
  std::vector<int> statuses;  // of each vaec_send_packet
  std::string detail;
};

inline Decoded decode(const VaecSettings& s, const std::vector<std::vector<uint8_t>>& records) {
  VaecContext* ctx = nullptr;
  REQUIRE(vaec_decoder_open(&ctx, &s) == VAEC_OK);
  Decoded out;
  for (const auto& r : records) {
    VaecPacket in{};
    in.data = r.data();
    in.size = r.size();
    int res = vaec_send_packet(ctx, &in);
    out.statuses.push_back(res);
    if (res != VAEC_OK && out.detail.empty()) out.detail = vaec_error_detail(ctx);
    VaecPicture pic;
    while (vaec_get_frame(ctx, &pic) == VAEC_OK) {
      Frame f;
      f.allocate(pic.width, pic.height);
      for (int p = 0; p < 3; ++p)
        for (int y = 0; y < f.plane_height(p); ++y)
          std::memcpy(f.planes[p].data() + size_t(y) * f.plane_width(p), pic.data[p] + pic.stride[p] * y,
                      size_t(f.plane_width(p)));
      out.frames.push_back(std::move(f));
      out.types.push_back(pic.frame_type);
      vaec_picture_unref(&pic);
    }
  }
  vaec_close(&ctx);
  return out;
}


// The frames the encoder itself reconstructs (through api::Encoder, the C++ class behind the
// C API): what a decoder must output bit for bit.
inline std::vector<Frame> encoder_reconstructions(const VaecSettings& s, const std::vector<Frame>& frames) {
  api::Encoder encoder(s);
  std::vector<Frame> recon;
  for (const auto& f : frames) {
    VaecPicture pic = picture_of(f);
    REQUIRE(encoder.send_frame(&pic) == VAEC_OK);
    recon.push_back(encoder.last_reconstruction());
    api::OutputPacket p;
    while (encoder.receive_packet(&p) == VAEC_OK) {}
  }
  return recon;
}
}  // namespace vaec::test
