// Multi-process training: N `vaec train` processes (one machine or several) that all-reduce
// their gradients through c10d's Gloo backend over TCP (docs/scale-out.md). Rank 0 hosts the
// rendezvous store (c10d::TCPStore) and alone writes checkpoints, logs and exports.
//
//   DistOptions o = resolve_dist_options(args, env);   // --dist-url/--world-size/--rank or Slurm
//   Communicator comm(o);                              // world size 1: no c10d at all
//   comm.allreduce_sum(buffer);                        // throws DistError naming the failure
//
// Only distributed.cpp includes the c10d headers; the trainer sees tensors and this class.
#pragma once

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

namespace at {
class Tensor;
}

namespace vaec::train {

// A rank that cannot rendezvous, or a collective that failed (a peer died, stopped or timed
// out); the message names this rank, the peer or master where known, and what to do.
struct DistError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

constexpr int kDefaultDistPort = 29500;

struct DistOptions {
  int world_size = 1;
  int rank = 0;
  std::string master_host = "127.0.0.1";  // where rank 0's store listens
  int port = kDefaultDistPort;
  double timeout_seconds = 60.0;          // rendezvous and every collective
  std::string origin;                     // "--dist-url" or "Slurm", for messages
  std::string interface;                  // GLOO_SOCKET_IFNAME: the network interface to use
};

// What the command line gave (world_size 0 and rank -1: not given).
struct DistArgs {
  std::string url;  // tcp://HOST:PORT
  int world_size = 0;
  int rank = -1;
  double timeout_seconds = 60.0;
};

// "tcp://HOST:PORT" (HOST may be [IPv6]) -> {HOST, PORT}. Throws std::invalid_argument.
std::pair<std::string, int> parse_dist_url(const std::string& url);

// The first host of a Slurm host list: "node[07-09,12],gpu3" -> "node07".
// Throws std::invalid_argument on an empty or malformed list.
std::string first_slurm_host(const std::string& nodelist);

// The rendezvous from the arguments or, when no --world-size/--rank is given and the process
// was started by `srun` with more than one task, from Slurm's environment (SLURM_PROCID,
// SLURM_NTASKS, first host of SLURM_STEP_NODELIST or SLURM_JOB_NODELIST, MASTER_ADDR and
// MASTER_PORT override; the port otherwise from --dist-url or 29500). GLOO_SOCKET_IFNAME names
// the network interface (default: the one that routes to the master). `getenv` returns null
// for unset names. Throws std::invalid_argument with a clear message on bad arguments.
DistOptions resolve_dist_options(const DistArgs& args,
                                 const std::function<const char*(const char*)>& getenv);

class Communicator {
 public:
  // World size 1: a no-op communicator (no store, no sockets). Otherwise rank 0 starts the
  // store and every rank waits up to the timeout for all others; throws DistError.
  explicit Communicator(const DistOptions& options);
  ~Communicator();
  Communicator(const Communicator&) = delete;
  Communicator& operator=(const Communicator&) = delete;

  int rank() const { return options_.rank; }
  int world_size() const { return options_.world_size; }
  bool distributed() const { return options_.world_size > 1; }

  // In place over all ranks (a contiguous CPU tensor). Throws DistError.
  void allreduce_sum(at::Tensor& tensor);
  // Rank 0's contents to every rank, in place (contiguous CPU tensor). Throws DistError.
  void broadcast(at::Tensor& tensor);
  // Rank 0's `value` to every rank (others pass anything), through the store.
  std::string broadcast_string(const std::string& key, const std::string& value);
  // Waits (through the store, up to `seconds`) until every rank has called this with the same
  // `name`: a barrier for phases of uneven length, such as loading the training media.
  // Throws DistError naming the ranks that did not arrive.
  void wait_for_all(const std::string& name, double seconds);

 private:
  [[noreturn]] void fail(const std::string& what, const std::exception& e) const;

  DistOptions options_;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vaec::train
