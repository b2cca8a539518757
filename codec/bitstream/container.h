// The .vae container: records, limits and their byte layout (docs/bitstream.md).
//
//   file = stream header record, packet record*, [index record, footer]
//
// Every record carries an XXH3-64 checksum. This file has the pure (de)serialization of single
// records; enc_container.h writes whole streams, dec_container.h reads them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/hash.h"
#include "common/limits.h"
#include "common/status.h"

namespace vaec::bitstream {

// The newest version this library reads and writes.
constexpr uint16_t kVersionMajor = 5;
// Readers also read the older major versions from this one on (2.0 added the optional
// refinement sub-stream of frame payloads, 3.0 motion P-frames, 4.0 their transform residual,
// 5.0 synthesis updates; an older stream is a newer one without them).
constexpr uint16_t kOldestReadableMajor = 1;
// The first major version whose frame payloads may end with a refinement sub-stream.
constexpr uint16_t kRefinementMajor = 2;
// The first major version whose P-frames may be motion P-frames (coding/motion_payload.h).
constexpr uint16_t kMotionMajor = 3;
// The first major version whose motion P-frames may carry a transform residual
// (coding/transform_residual.h) and code their vectors in one rANS lane.
constexpr uint16_t kTransformResidualMajor = 4;
// The first major version whose I-frames may carry a synthesis update
// (coding/synthesis_update_payload.h): a decoder that ignored one would show wrong pictures.
constexpr uint16_t kSynthesisUpdateMajor = 5;
constexpr uint16_t kVersionMinor = 0;  // of kVersionMajor
// A stream that uses no 5.0 tool is written as 4.2, which every 4.x reader reads. 4.1 appended
// the encoder's preset to the stream header, 4.2 the source frame number of a segment's first
// frame (docs/bitstream.md §2).
constexpr uint16_t kCompatibleMajor = 4;
constexpr uint16_t kCompatibleMinor = 2;

constexpr uint8_t kMagic[8] = {0x89, 'V', 'A', 'E', 0x0D, 0x0A, 0x1A, 0x0A};
constexpr uint8_t kFooterMagic[8] = {'V', 'A', 'E', 'I', 'N', 'D', 'E', 'X'};

constexpr size_t kHeaderSize = 80;         // header record size written since 4.1
constexpr size_t kMinHeaderSize = 72;      // of 1.0 to 4.0: smaller header_size fields are rejected
constexpr size_t kMaxHeaderSize = 4096;    // larger header_size fields are rejected
constexpr size_t kPacketHeaderSize = 24;
constexpr size_t kFooterSize = 16;
constexpr size_t kIndexEntrySize = 16;

// The limits (kMaxDimension, kMaxPayloadSize, ...) are the base layer's: common/limits.h.

enum class PixelFormat : uint8_t { kYuv420p8 = 0 };

enum class PacketType : uint8_t {
  kIntraFrame = 1,  // I frame: a seek point
  kInterFrame = 2,  // P frame
  kIndex = 3,       // I-frame index, last record before the footer
  // Types >= kFirstSkippable are optional: readers that do not know them skip them.
};
constexpr uint8_t kFirstSkippable = 0x80;

struct StreamHeader {
  // What the reader found; the writer writes kVersionMajor.kVersionMinor where version_major
  // is kSynthesisUpdateMajor or more, else kCompatibleMajor.kCompatibleMinor.
  uint16_t version_major = kCompatibleMajor;
  uint16_t version_minor = kCompatibleMinor;
  uint32_t width = 0;
  uint32_t height = 0;
  PixelFormat pixel_format = PixelFormat::kYuv420p8;
  uint32_t fps_num = 0;
  uint32_t fps_den = 1;
  uint32_t gop = 1;            // I-frame interval, 1 = all intra
  uint32_t frame_count = 0;    // 0 = unknown when the header was written
  uint8_t quality = 50;        // encoder setting, 1..100
  uint32_t encoder_version = 0;  // (major << 16) | (minor << 8) | patch of the writer
  ModelHash model_hash{};
  uint8_t preset = 0;          // the encoder's VaecPreset (vaec.h); 0 = not recorded (before 4.1)
  uint32_t first_frame = 0;    // source frame number of the first frame (4.2; 0 before): a
                               // segment's place in the video it was cut from

  bool operator==(const StreamHeader& o) const;
};

// Checks every field against the limits above.
Status validate_header(const StreamHeader& h);
// Largest frame payload accepted for a stream of this size (<= kMaxPayloadSize).
uint32_t max_frame_payload(const StreamHeader& h);

// The stream header record (also the C API's stream header packet and codec extradata).
Status serialize_header(const StreamHeader& h, std::vector<uint8_t>* out);
// Parses a complete header record of exactly `size` bytes. Use header_record_size() on the
// first 16 bytes to learn the size.
Status parse_header(const uint8_t* data, size_t size, StreamHeader* out);
// From the first 16 bytes: checks magic and major version, returns the record's total size.
Status header_record_size(const uint8_t* first16, size_t* size);

// The fixed 24-byte part of a packet record.
struct PacketHeader {
  uint8_t type = 0;
  uint32_t payload_size = 0;
  uint64_t display_index = 0;
  uint64_t checksum = 0;  // XXH3-64 of the payload seeded with XXH3-64 of record bytes 0..15
};

// Serializes header + payload into one record (appended to *out).
Status append_packet_record(uint8_t type, uint64_t display_index, const uint8_t* payload,
                            size_t size, std::vector<uint8_t>* out);
// Decodes the 24 fixed bytes; checks reserved bits, type and the size limit `max_payload`.
Status parse_packet_header(const uint8_t* data, uint32_t max_payload, PacketHeader* out);
bool packet_checksum_ok(const uint8_t* record24, const PacketHeader& h, const uint8_t* payload);

struct IndexEntry {
  uint64_t display_index = 0;
  uint64_t offset = 0;  // byte offset of the I frame's packet record from the stream start
  bool operator==(const IndexEntry& o) const {
    return display_index == o.display_index && offset == o.offset;
  }
};

struct StreamIndex {
  uint32_t frame_count = 0;  // frames in the stream
  std::vector<IndexEntry> entries;
};

void serialize_index_payload(const StreamIndex& index, std::vector<uint8_t>* out);
// Entries must be strictly increasing in offset and display index, before `index_offset`.
Status parse_index_payload(const uint8_t* data, size_t size, uint64_t index_offset,
                           StreamIndex* out);

void serialize_footer(uint64_t index_offset, uint8_t out[kFooterSize]);
Status parse_footer(const uint8_t* data, uint64_t* index_offset);

}  // namespace vaec::bitstream
