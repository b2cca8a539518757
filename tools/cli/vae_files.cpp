#include "cli/vae_files.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "cli/commands.h"
#include "common/hash.h"
#include "io/ffmpeg_error.h"

namespace vaec::cli {

std::string model_hash_hex(const uint8_t hash[16]) {
  ModelHash h;
  std::copy(hash, hash + h.size(), h.begin());
  return hash_hex(h);
}

VaeInput::VaeInput(const std::string& path) : path_(path) {
  if (path == "-") {
    file_ = stdin;
  } else {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) throw CommandError(path + ": no such file");
    if (S_ISDIR(st.st_mode)) throw CommandError(path + ": is a directory, not a .vae file");
    if (S_ISREG(st.st_mode)) size_ = int64_t(st.st_size);
    file_ = std::fopen(path.c_str(), "rb");
    if (!file_) throw CommandError(path + ": cannot open (" + std::strerror(errno) + ")");
  }
  const int status = vaec_file_reader_open(&reader_, file_);
  if (status != VAEC_OK) {
    if (file_ != stdin) std::fclose(file_);
    std::string why = vaec_file_reader_error(nullptr);
    throw CommandError(path + ": not a readable .vae stream (" + (why.empty() ? vaec_status_str(status) : why) + ")");
  }
  vaec_file_reader_info(reader_, &info_);
}

VaeInput::~VaeInput() {
  vaec_file_reader_close(&reader_);
  if (file_ && file_ != stdin) std::fclose(file_);
}

VaecPacket VaeInput::header_packet() const {
  VaecPacket p{};
  vaec_file_reader_header(reader_, &p);
  return p;
}

OutputFile::OutputFile(const std::string& path) : path_(path) {
  if (path == "-") {
    file_ = stdout;
    return;
  }
  try {
    io::AtomicFile::check_writable(path);
  } catch (const io::IoError& e) {
    throw CommandError(e.what());
  }
  atomic_ = std::make_unique<io::AtomicFile>(path);
  file_ = std::fopen(atomic_->temp_path().c_str(), "wb");
  if (!file_) throw CommandError(path + ": cannot write output (" + std::strerror(errno) + ")");
}

OutputFile::~OutputFile() {
  if (file_ && file_ != stdout) std::fclose(file_);
}

void OutputFile::commit() {
  if (std::fflush(file_) != 0) throw CommandError(path_ + ": cannot write output (" + std::strerror(errno) + ")");
  if (file_ == stdout) return;
  int rc = std::fclose(file_);
  file_ = nullptr;
  if (rc != 0) throw CommandError(path_ + ": cannot write output (" + std::strerror(errno) + ")");
  try {
    atomic_->commit();
  } catch (const io::IoError& e) {
    throw CommandError(e.what());
  }
}

VaeOutput::VaeOutput(const std::string& path) : file_(path) {
  if (vaec_file_writer_open(&writer_, file_.get()) != VAEC_OK) throw CommandError(path + ": out of memory");
}

VaeOutput::~VaeOutput() { vaec_file_writer_close(&writer_); }

void VaeOutput::write_packet(const VaecPacket& p) {
  const int status = vaec_file_write_packet(writer_, &p);
  if (status != VAEC_OK)
    throw CommandError(file_.path() + ": cannot write the stream (" + vaec_file_writer_error(writer_) + ")");
}

int64_t VaeOutput::finish() {
  if (vaec_file_writer_finish(writer_) != VAEC_OK)
    throw CommandError(file_.path() + ": cannot finish the stream (" + vaec_file_writer_error(writer_) + ")");
  return vaec_file_writer_bytes(writer_);
}

}  // namespace vaec::cli
