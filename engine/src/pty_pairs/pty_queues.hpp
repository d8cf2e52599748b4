#pragma once
// What waits in a pty pair, each way, taken out and put back. A tty queue
// cannot be peeked at: reading it consumes it. The dump takes the bytes
// while the tree is frozen and puts them straight back into the live pair;
// a restore puts them into the new pair. Putting back writes them through
// the other end with the line discipline's processing turned off for the
// write (they were processed once already), and the slave's settings as they
// were afterwards.
#include <cstdint>
#include <string>
#include <vector>

namespace stasis {

// What one end can read now, taken from it: the master's queue (the slave's
// output), or a non-canonical slave's (the master's input). `tty` may be
// the tree's own description: it is read only as far as FIONREAD says, so
// it never blocks, whatever its O_NONBLOCK.
std::vector<std::uint8_t> take_queued(int tty, const std::string& what);

// What the slave can read now, taken through `slave`, a non-blocking
// description of stasis's own: take_queued, or for a canonical slave its
// complete lines, each one ended by end-of-file with its VEOF character
// (which a read drops) put back in the stream; a line not complete yet
// cannot be read and stays.
std::vector<std::uint8_t> take_slave_queue(int slave, const std::string& what);

// Queues bytes for the master to read: written on the slave with output
// processing (OPOST) off.
void queue_for_master(int slave, const std::vector<std::uint8_t>& bytes, const std::string& what);

// Queues bytes for the slave to read (take_slave_queue's stream): written on
// the master with input processing, echo, signal and editing keys off (the
// line ends of a canonical slave kept), until the slave's queue holds them
// (the line discipline takes them in asynchronously).
void queue_for_slave(int master, int slave, const std::vector<std::uint8_t>& bytes, const std::string& what);

// FIONREAD: how many bytes a tty end can read now.
int queued_bytes(int tty, const std::string& what);

}  // namespace stasis
