/*
 * vaec: the .vae file format (docs/bitstream.md), the public C API for reading and writing it.
 *
 * A .vae file is the stream header, one packet record per frame, then an index of the I-frames
 * and a footer: exactly the packets vaec_receive_packet() gives, plus the index. The writer
 * never seeks (it can write into a pipe); the reader works on pipes too and seeks, when the
 * file allows it, to load the index.
 *
 * Writing (the packets of an encoder, the stream header first):
 *
 *     VaecFileWriter *w = NULL;
 *     vaec_file_writer_open(&w, file);           // file: an open FILE*, still the caller's
 *     while (vaec_receive_packet(enc, &pkt) == VAEC_OK) { vaec_file_write_packet(w, &pkt); ... }
 *     vaec_file_writer_finish(w);                // the index and footer
 *     vaec_file_writer_close(&w);
 *
 * Reading (and decoding):
 *
 *     VaecFileReader *r = NULL;
 *     if (vaec_file_reader_open(&r, file) < 0) ...;   // reads and checks the stream header
 *     VaecPacket pkt;
 *     vaec_file_reader_header(r, &pkt);            // send it to the decoder first
 *     vaec_file_reader_seek(r, 100, NULL);         // optional: start at the I-frame before 100
 *     int res;
 *     while ((res = vaec_file_read_packet(r, &pkt)) != VAEC_EOF) {
 *         if (res < 0) {                            // a damaged record: frame pkt.pts is lost
 *             if (vaec_file_reader_failed(r)) break;   // nothing after it can be read
 *             continue;                                 // reading goes on after it
 *         }
 *         vaec_send_packet(dec, &pkt);   ...
 *     }
 *     vaec_file_reader_close(&r);
 *
 * Packets the reader returns stay valid until the next call on the reader.
 */
#ifndef VAEC_VAEC_FILE_H
#define VAEC_VAEC_FILE_H

#include <stdio.h>

#include "vaec/vaec.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What a stream header says. */
typedef struct VaecStreamInfo {
  int version_major, version_minor; /* of the bitstream */
  int width, height;
  int fps_num, fps_den;
  int gop;                          /* I-frame interval the encoder was given */
  int64_t frame_count;              /* 0: not known when the header was written */
  int quality;                      /* the encoder's --quality */
  uint32_t encoder_version;         /* (major << 16) | (minor << 8) | patch */
  uint8_t model_hash[16];           /* the model the stream needs (XXH3-128 of its file) */
  int preset;                       /* the encoder's VaecPreset; 0: not recorded (before 4.1) */
  int first_frame;                  /* source frame number of the first frame (a segment's
                                       start); 0 for a whole video and before 4.2 */
  uint32_t reserved[6];
} VaecStreamInfo;

typedef struct VaecFileReader VaecFileReader;

/* Reads and checks the stream header from `file` (not closed by vaec). */
VAEC_API int vaec_file_reader_open(VaecFileReader **reader, FILE *file);
VAEC_API int vaec_file_reader_info(const VaecFileReader *reader, VaecStreamInfo *info);
/* The stream header record (VAEC_FRAME_NONE), valid until the reader is closed. */
VAEC_API int vaec_file_reader_header(const VaecFileReader *reader, VaecPacket *header);
/* The next frame's packet record; VAEC_EOF after the last. A damaged record gives its error
 * (VAEC_ECHECKSUM, VAEC_EINVALIDDATA, VAEC_ETRUNCATED, ...) with packet->pts its frame's
 * display index, or -1 when unreadable; unless vaec_file_reader_failed(), the next call
 * goes on after it (at the next intact record, or the next I-frame of the index). */
VAEC_API int vaec_file_read_packet(VaecFileReader *reader, VaecPacket *packet);
/* 1 when nothing more can be read after the last error, else 0. */
VAEC_API int vaec_file_reader_failed(const VaecFileReader *reader);
/* After VAEC_EOF: 1 when the stream ended with its index and footer, 0 when it was cut short. */
VAEC_API int vaec_file_reader_complete(const VaecFileReader *reader);
/* Frames in the stream, from its index (seekable files): VAEC_EUNSUPPORTED without one. */
VAEC_API int vaec_file_reader_frame_count(VaecFileReader *reader, int64_t *count);
/* Continues reading at the last I-frame at or before display index `frame` (seekable, indexed
 * files; call before reading packets); *landed (optional) gets that I-frame's index.
 * VAEC_EUNSUPPORTED without an index (read from the start), VAEC_EINVAL past the end. */
VAEC_API int vaec_file_reader_seek(VaecFileReader *reader, int64_t frame, int64_t *landed);
/* What the last failure was, in words; "" when none. With reader == NULL: the last failed
 * vaec_file_reader_open of this thread. */
VAEC_API const char *vaec_file_reader_error(const VaecFileReader *reader);
VAEC_API void vaec_file_reader_close(VaecFileReader **reader);

typedef struct VaecFileWriter VaecFileWriter;

/* Writes into `file` (not closed by vaec; may be a pipe). */
VAEC_API int vaec_file_writer_open(VaecFileWriter **writer, FILE *file);
/* A packet of vaec_receive_packet(): the stream header first, then frames in order. */
VAEC_API int vaec_file_write_packet(VaecFileWriter *writer, const VaecPacket *packet);
/* Writes the index and footer: the file is complete. */
VAEC_API int vaec_file_writer_finish(VaecFileWriter *writer);
/* Bytes written so far (after finish: the whole file's size). */
VAEC_API int64_t vaec_file_writer_bytes(const VaecFileWriter *writer);
VAEC_API const char *vaec_file_writer_error(const VaecFileWriter *writer);
VAEC_API void vaec_file_writer_close(VaecFileWriter **writer);

/* Joins complete .vae streams that are consecutive segments of one video (encoded with
 * VaecSettings.first_frame, e.g. `vaec encode --start-frame`) into one stream written to
 * `out` (may be a pipe): frames renumbered, index rebuilt, payloads copied unchanged, so it
 * decodes to exactly the parts' pictures. Parts must share model, size, frame rate, quality
 * and GOP, and each must start at the source frame where the one before it ended. On failure
 * `out` holds a partial stream to discard; *failed_part (optional) is the index of the part at
 * fault (-1: none, e.g. the output failed) and `error` (optional, error_size bytes) says why. */
VAEC_API int vaec_file_concat(FILE *out, FILE *const *parts, int count, int *failed_part, char *error,
                              size_t error_size);

#ifdef __cplusplus
}
#endif

#endif /* VAEC_VAEC_FILE_H */
