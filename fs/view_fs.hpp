// The FUSE operations over a ViewSnapshot: thin noexcept adapters that look the request up in
// the current snapshot and answer it, or pass a read through to the source file.
#pragma once

#define FUSE_USE_VERSION 314
#include <fuse_lowlevel.h>

#include "passthrough.hpp"

#include "index/view/snapshot.hpp"

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <sys/types.h>

namespace ipd::fs {

// How long the kernel may trust a name or an attribute without asking again. Changes are also
// pushed to the kernel (ViewServer::replace), so this only bounds how stale a missed one can be.
constexpr double k_cache_seconds = 1.0;

// The state the operations share: the snapshot being served and where log lines go.
class ViewServer {
public:
  using Log = std::function<void(const std::string&)>;
  ViewServer(std::shared_ptr<const ViewSnapshot> first, Log log);

  // The snapshot to answer a request from (each request takes one and keeps to it).
  std::shared_ptr<const ViewSnapshot> current() const;
  // Serves `next` from now on, then tells the kernel to forget what changed (once mounted).
  void replace(std::shared_ptr<const ViewSnapshot> next);
  // The session to send invalidations through; nullptr before it exists and after it ends.
  void set_session(fuse_session* session);
  // Takes over the io of a mounted session whose INIT is not answered yet, to offer the
  // kernel's passthrough (passthrough.hpp); without it every read comes to this server.
  void take_io(fuse_session* session);
  Passthrough& passthrough() { return m_passthrough; }

  // Files open through the mount answer getattr for their inode until released, even when a
  // new plan moved or removed them (fstat of an open file must not fail): `node` lives in a
  // snapshot the open file keeps.
  void hold_open(fuse_ino_t ino, const ViewSnapshot::Node* node);
  void drop_open(fuse_ino_t ino, const ViewSnapshot::Node* node);
  // The node of an open file of inode `ino`, or nullptr.
  const ViewSnapshot::Node* open_node(fuse_ino_t ino) const;

  void log(const std::string& line) const { m_log(line); }
  uid_t uid() const { return m_uid; }
  gid_t gid() const { return m_gid; }

private:
  mutable std::mutex m_mutex; // protects m_current, m_session and m_open
  std::shared_ptr<const ViewSnapshot> m_current;
  std::multimap<fuse_ino_t, const ViewSnapshot::Node*> m_open; // open files by inode
  fuse_session* m_session = nullptr;
  Log m_log;
  Passthrough m_passthrough;
  uid_t m_uid;
  gid_t m_gid;
};

// The operations table; every callback expects fuse_req_userdata() to be a ViewServer.
const fuse_lowlevel_ops& view_operations();

} // namespace ipd::fs
