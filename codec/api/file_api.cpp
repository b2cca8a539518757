// The public .vae file API (vaec/vaec_file.h) over the container reader and writer
// (bitstream/dec_container.h, bitstream/enc_container.h).
#include <cstdio>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "api/status_map.h"
#include "bitstream/byte_stream.h"
#include "bitstream/dec_container.h"
#include "bitstream/enc_container.h"
#include "bitstream/stream_concat.h"
#include "coding/intra_payload.h"
#include "coding/motion_payload.h"
#include "vaec/vaec_file.h"

using namespace vaec;

struct VaecFileReader {
  explicit VaecFileReader(FILE* f) : source(f), reader(&source) {}
  bitstream::FileSource source;
  bitstream::ContainerReader reader;
  bitstream::StreamHeader header;
  std::vector<uint8_t> record;  // the last packet returned
  bool read_any = false;
  std::string error;
};

struct VaecFileWriter {
  explicit VaecFileWriter(FILE* f) : sink(f), writer(&sink) {}
  bitstream::FileSink sink;
  bitstream::ContainerWriter writer;
  std::string error;
};

namespace {

template <typename T>
int report(T* holder, const Status& st, const std::string& what = "") {
  holder->error = what + st.message();
  return api::to_vaec_status(st);
}

// Runs `body`, turning allocation failure and any other exception into a status.
template <typename T, typename F>
int guarded(T* holder, F&& body) {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    holder->error = "out of memory";
    return VAEC_ENOMEM;
  } catch (const std::exception& e) {
    holder->error = e.what();
    return VAEC_EINTERNAL;
  }
}

// Opening failures have no reader to hold their message: kept per thread for the caller.
thread_local std::string open_error;

}  // namespace

extern "C" {

int vaec_file_reader_open(VaecFileReader** out, FILE* file) {
  if (!out || !file) return VAEC_EINVAL;
  *out = nullptr;
  auto r = std::unique_ptr<VaecFileReader>(new (std::nothrow) VaecFileReader(file));
  if (!r) return VAEC_ENOMEM;
  int status = guarded(r.get(), [&]() -> int {
    const Status st = r->reader.read_header(&r->header);
    return st.ok() ? VAEC_OK : report(r.get(), st);
  });
  if (status != VAEC_OK) {
    open_error = r->error;  // no reader to keep the message
    return status;
  }
  *out = r.release();
  return VAEC_OK;
}

int vaec_file_reader_info(const VaecFileReader* r, VaecStreamInfo* info) {
  if (!r || !info) return VAEC_EINVAL;
  std::memset(info, 0, sizeof *info);
  const bitstream::StreamHeader& h = r->header;
  info->version_major = h.version_major;
  info->version_minor = h.version_minor;
  info->width = int(h.width);
  info->height = int(h.height);
  info->fps_num = int(h.fps_num);
  info->fps_den = int(h.fps_den);
  info->gop = int(h.gop);
  info->frame_count = h.frame_count;
  info->quality = h.quality;
  info->encoder_version = h.encoder_version;
  std::memcpy(info->model_hash, h.model_hash.data(), sizeof info->model_hash);
  info->preset = h.preset;
  info->first_frame = int(h.first_frame);
  return VAEC_OK;
}

int vaec_file_reader_header(const VaecFileReader* r, VaecPacket* header) {
  if (!r || !header) return VAEC_EINVAL;
  std::memset(header, 0, sizeof *header);
  header->data = r->reader.header_record().data();
  header->size = r->reader.header_record().size();
  header->frame_type = VAEC_FRAME_NONE;
  return VAEC_OK;
}

int vaec_file_read_packet(VaecFileReader* r, VaecPacket* packet) {
  if (!r || !packet) return VAEC_EINVAL;
  return guarded(r, [&]() -> int {
    std::memset(packet, 0, sizeof *packet);
    r->read_any = true;
    bitstream::Packet p;
    Status st = r->reader.read_packet(&p);
    if (st.code() == StatusCode::kEndOfStream) return VAEC_EOF;
    if (!st.ok()) {
      packet->pts = p.display_index == bitstream::ContainerReader::kUnknownFrame ? -1 : int64_t(p.display_index);
      return report(r, st);
    }
    // The record as it was read (the decoder checks it again: it may come from elsewhere).
    r->record.assign(p.record_header.begin(), p.record_header.end());
    r->record.insert(r->record.end(), p.payload.begin(), p.payload.end());
    packet->data = r->record.data();
    packet->size = r->record.size();
    packet->pts = int64_t(p.display_index);
    packet->frame_type = p.type == bitstream::PacketType::kIntraFrame ? VAEC_FRAME_I : VAEC_FRAME_P;
    packet->quality = coding::payload_quality(p.payload.data(), p.payload.size());
    if (p.type == bitstream::PacketType::kIntraFrame)
      packet->synthesis_update_bytes = int(coding::synthesis_update_size(p.payload));
    return VAEC_OK;
  });
}

int vaec_file_reader_failed(const VaecFileReader* r) { return r && r->reader.failed() ? 1 : 0; }

int vaec_file_reader_complete(const VaecFileReader* r) { return r && r->reader.has_index() ? 1 : 0; }

int vaec_file_reader_frame_count(VaecFileReader* r, int64_t* count) {
  if (!r || !count) return VAEC_EINVAL;
  return guarded(r, [&]() -> int {
    bitstream::StreamIndex index;
    Status st = r->reader.load_index(&index);
    if (!st.ok()) return report(r, Status(StatusCode::kUnsupported, st.message()));
    *count = index.frame_count;
    return VAEC_OK;
  });
}

int vaec_file_reader_seek(VaecFileReader* r, int64_t frame, int64_t* landed) {
  if (!r || frame < 0) return VAEC_EINVAL;
  if (r->read_any) {
    r->error = "seek before reading packets";
    return VAEC_EINVAL;
  }
  return guarded(r, [&]() -> int {
    bitstream::StreamIndex index;
    Status st = r->reader.load_index(&index);
    if (!st.ok()) return report(r, Status(StatusCode::kUnsupported, st.message()));
    if (uint64_t(frame) >= index.frame_count) {
      r->error = "frame " + std::to_string(frame) + " is past the last frame (" + std::to_string(index.frame_count) +
                 " frames)";
      return VAEC_EINVAL;
    }
    const bitstream::IndexEntry* entry = nullptr;
    for (const auto& e : index.entries)
      if (e.display_index <= uint64_t(frame)) entry = &e;
    if (!entry) {  // the first frame is always an I-frame: only a damaged index gets here
      r->error = "the index has no I-frame before that frame";
      return VAEC_EINVALIDDATA;
    }
    if (entry->display_index > 0 || entry->offset != r->reader.header_record().size()) {
      st = r->reader.seek_to(*entry);
      if (!st.ok()) return report(r, st, "cannot seek to an I-frame: ");
    }
    if (landed) *landed = int64_t(entry->display_index);
    return VAEC_OK;
  });
}

const char* vaec_file_reader_error(const VaecFileReader* r) { return r ? r->error.c_str() : open_error.c_str(); }

void vaec_file_reader_close(VaecFileReader** r) {
  if (!r) return;
  delete *r;
  *r = nullptr;
}

int vaec_file_writer_open(VaecFileWriter** out, FILE* file) {
  if (!out || !file) return VAEC_EINVAL;
  *out = new (std::nothrow) VaecFileWriter(file);
  return *out ? VAEC_OK : VAEC_ENOMEM;
}

int vaec_file_write_packet(VaecFileWriter* w, const VaecPacket* p) {
  if (!w || !p || !p->data) return VAEC_EINVAL;
  return guarded(w, [&]() -> int {
    Status st;
    if (p->frame_type == VAEC_FRAME_NONE) {
      bitstream::StreamHeader header;
      st = bitstream::parse_header(p->data, p->size, &header);
      if (st.ok()) st = w->writer.write_header(header);
    } else {
      st = w->writer.write_packet_record(p->data, p->size);
    }
    return st.ok() ? VAEC_OK : report(w, st);
  });
}

int vaec_file_writer_finish(VaecFileWriter* w) {
  if (!w) return VAEC_EINVAL;
  return guarded(w, [&]() -> int {
    Status st = w->writer.finish();
    return st.ok() ? VAEC_OK : report(w, st);
  });
}

int64_t vaec_file_writer_bytes(const VaecFileWriter* w) { return w ? int64_t(w->writer.bytes_written()) : 0; }

const char* vaec_file_writer_error(const VaecFileWriter* w) { return w ? w->error.c_str() : ""; }

void vaec_file_writer_close(VaecFileWriter** w) {
  if (!w) return;
  delete *w;
  *w = nullptr;
}

int vaec_file_concat(FILE* out, FILE* const* parts, int count, int* failed_part, char* error, size_t error_size) {
  if (failed_part) *failed_part = -1;
  if (error && error_size) *error = 0;
  if (!out || !parts || count < 1) return VAEC_EINVAL;
  std::string message;
  int status = VAEC_OK;
  try {
    std::vector<std::unique_ptr<bitstream::FileSource>> sources;
    std::vector<bitstream::ByteSource*> inputs;
    for (int i = 0; i < count; ++i) {
      if (!parts[i]) return VAEC_EINVAL;
      sources.push_back(std::make_unique<bitstream::FileSource>(parts[i]));
      inputs.push_back(sources.back().get());
    }
    bitstream::FileSink sink(out);
    const bitstream::ConcatResult r = bitstream::concat_streams(inputs, &sink);
    if (!r.status.ok()) {
      if (failed_part) *failed_part = r.failed_part;
      message = r.message;
      status = api::to_vaec_status(r.status);
    }
  } catch (const std::bad_alloc&) {
    message = "out of memory";
    status = VAEC_ENOMEM;
  } catch (const std::exception& e) {
    message = e.what();
    status = VAEC_EINTERNAL;
  }
  if (error && error_size) std::snprintf(error, error_size, "%s", message.c_str());
  return status;
}

}  // extern "C"
