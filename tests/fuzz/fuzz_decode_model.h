// The model behind fuzz_decode_frame: tests/fuzz/decode_model.vaem, a tiny random model
// (N = M = 8, Nz = 4; made by `make_decode_seeds --write-model`), so decoding a 256x256 frame
// takes milliseconds. It is committed rather than generated at run time because a model built
// from the same seed differs between compilers (the z CDF tables come from float code), and
// the committed payload seeds must decode with the model of every build.
#pragma once

#include <string>

#include "bitstream/container.h"
#include "model/decoding.h"

namespace vaec::fuzz {

// Path of the model file.
const std::string& decode_model_path();
// XXH3-128 of that file: what a stream header must carry.
const ModelHash& decode_model_hash();

// The model's decoding side, loaded from that file once (for building payloads from symbols).
// make_decode_seeds --write-model makes a new one.
const model::DecodingModel& decode_model();

// An I-frame payload that codes the given symbols: quality, then z and v rANS-coded with the
// tables the decoder will select (the z tables, and the Gaussian tables picked by the integer
// h_s from z). z and v are resized to the frame's latent sizes (zero-filled). Empty on failure.
std::vector<uint8_t> payload_from_symbols(int width, int height, int quality, std::vector<int32_t> z,
                                          std::vector<int32_t> v);

// The stream header record for a width x height stream made with that model.
std::vector<uint8_t> decode_stream_header(int width, int height);

// Fuzz input layout: byte 0 = width - 1, byte 1 = height - 1 (so at most 256 x 256, the
// frame-size cap), byte 2 = mode, then the rest:
//   mode bit 0 set: the rest is a raw packet record (record parser, checksum);
//   mode bit 1 set: the rest is symbols: byte 3 picks the quality, then values for z and then v,
//     each one control byte c: c < 0x80 gives the value int8(c << 1) >> 1 (-64..63), else the
//     next 4 bytes are a little-endian int32 (any value: the escape path, huge latents). They
//     are entropy-coded into a valid payload, so a fuzzed latent reaches h_s and the synthesis;
//   mode bit 2 set (bits 0 and 1 clear): the rest is a P-frame payload, latent or motion
//     (coding/motion_payload.h), wrapped into a record;
//   else: the rest is an I-frame payload (wrapped into a record with a valid checksum).
// Before every input the decoder gets one valid I-frame (payload_from_symbols with all-zero
// latents at kReferenceQuality), so a P-frame always has the same reference and each input
// decodes the same way whatever came before it.
constexpr size_t kDecodeInputPrefix = 3;
constexpr int kReferenceQuality = 50;

}  // namespace vaec::fuzz
