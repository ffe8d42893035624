// Disjoint sets over record indices, with deterministic roots (the smallest index of a set).
#pragma once

#include <algorithm>
#include <cstddef>
#include <numeric>
#include <vector>

namespace ipd {

class UnionFind {
public:
  explicit UnionFind(std::size_t n) : m_parent(n) { std::iota(m_parent.begin(), m_parent.end(), 0); }
  std::size_t find(std::size_t x) {
    while (m_parent[x] != x) {
      m_parent[x] = m_parent[m_parent[x]];
      x = m_parent[x];
    }
    return x;
  }
  // Joins the sets; the smaller index stays the root, so roots are deterministic.
  void join(std::size_t a, std::size_t b) {
    a = find(a);
    b = find(b);
    if (a != b) {
      m_parent[std::max(a, b)] = std::min(a, b);
    }
  }

private:
  std::vector<std::size_t> m_parent; // the parent of each element; a root is its own parent
};

} // namespace ipd
