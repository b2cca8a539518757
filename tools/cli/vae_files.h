// Opening .vae files for reading and writing from the CLI ("-" is stdin/stdout), through the
// public file API (vaec/vaec_file.h).
#pragma once

#include <cstdio>
#include <memory>
#include <string>

#include "io/atomic_file.h"
#include "vaec/vaec.h"
#include "vaec/vaec_file.h"

namespace vaec::cli {

// A .vae being read: owns the FILE* and the reader; the stream header is read and checked.
class VaeInput {
 public:
  explicit VaeInput(const std::string& path);  // throws CommandError
  ~VaeInput();
  VaecFileReader* reader() { return reader_; }
  const VaecStreamInfo& info() const { return info_; }
  VaecPacket header_packet() const;
  const std::string& path() const { return path_; }
  // Size of the whole file when it is a regular file, else -1.
  int64_t file_size() const { return size_; }
  // The reader's explanation of its last failure.
  std::string error() const { return vaec_file_reader_error(reader_); }

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
  int64_t size_ = -1;
  VaecFileReader* reader_ = nullptr;
  VaecStreamInfo info_{};
};

// A file being written: to a temporary renamed on commit(), or straight to stdout ("-").
class OutputFile {
 public:
  explicit OutputFile(const std::string& path);  // throws CommandError
  ~OutputFile();                                  // removes the temporary unless committed
  std::FILE* get() const { return file_; }
  const std::string& path() const { return path_; }
  void commit();  // flushes, closes and renames; throws CommandError

 private:
  std::string path_;
  std::unique_ptr<io::AtomicFile> atomic_;
  std::FILE* file_ = nullptr;
};

// A .vae being written through the file API.
class VaeOutput {
 public:
  explicit VaeOutput(const std::string& path);  // throws CommandError
  ~VaeOutput();
  // Writes one record from vaec_receive_packet (the stream header or a frame).
  void write_packet(const VaecPacket& packet);
  // Writes the index and footer; returns the stream's size in bytes.
  int64_t finish();
  void commit() { file_.commit(); }

 private:
  OutputFile file_;
  VaecFileWriter* writer_ = nullptr;
};

// Lower-case hex of a model hash, as `vaec info` and error messages print it.
std::string model_hash_hex(const uint8_t hash[16]);

}  // namespace vaec::cli
