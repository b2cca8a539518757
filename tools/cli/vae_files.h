// Opening .vae files for reading and writing from the CLI ("-" is stdin/stdout).
#pragma once

#include <cstdio>
#include <memory>
#include <string>

#include "bitstream/byte_stream.h"
#include "bitstream/dec_container.h"
#include "bitstream/enc_container.h"
#include "io/atomic_file.h"
#include "vaec/vaec.h"

namespace vaec::cli {

// A .vae being read: owns the FILE*, the byte source and the container reader.
class VaeInput {
 public:
  explicit VaeInput(const std::string& path);  // throws CommandError
  ~VaeInput();
  bitstream::ContainerReader& reader() { return *reader_; }
  const std::string& path() const { return path_; }
  // Size of the whole file when it is a regular file, else -1.
  int64_t file_size() const { return size_; }

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
  int64_t size_ = -1;
  std::unique_ptr<bitstream::FileSource> source_;
  std::unique_ptr<bitstream::ContainerReader> reader_;
};

// A .vae being written: to a temporary renamed on commit(), or straight to stdout.
class VaeOutput {
 public:
  explicit VaeOutput(const std::string& path);  // throws CommandError
  ~VaeOutput();
  bitstream::ContainerWriter& writer() { return *writer_; }
  // Writes one record from vaec_receive_packet (the stream header or a frame).
  void write_packet(const VaecPacket& packet);
  void commit();  // flushes, closes and renames; throws CommandError

 private:
  std::string path_;
  std::unique_ptr<io::AtomicFile> atomic_;
  std::FILE* file_ = nullptr;
  std::unique_ptr<bitstream::FileSink> sink_;
  std::unique_ptr<bitstream::ContainerWriter> writer_;
};

// "PATH: what (reason)" for a container status.
std::string status_message(const std::string& path, const std::string& what, const Status& st);

}  // namespace vaec::cli
