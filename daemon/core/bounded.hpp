#pragma once
/// Bounded in-memory caches: a map and a set that hold at most `capacity` entries and forget
/// the least recently used one when a new key would go over. For memory a long-running daemon
/// keeps only to save work (a task read this cycle, a task known to be nobody's): forgetting
/// an entry costs a re-read, never a wrong answer. Not thread-safe (one io_context thread).
#include <cstddef>
#include <iterator>
#include <list>
#include <map>
#include <stdexcept>
#include <tuple>
#include <utility>

namespace hrmaild {

/// A map of at most `capacity` entries, least recently used first out. `find` and
/// `operator[]` count as a use. Iterators stay valid until their entry is erased or evicted.
template <typename Key, typename Value, typename Compare = std::less<Key>>
class BoundedMap {
    using List = std::list<std::pair<const Key, Value>>;

  public:
    using iterator = typename List::iterator;
    using const_iterator = typename List::const_iterator;
    using value_type = typename List::value_type;

    /// `capacity` must be at least 1.
    explicit BoundedMap(std::size_t capacity) : capacity_(capacity) {
        if (capacity_ == 0)
            throw std::invalid_argument("BoundedMap: capacity must be at least 1");
    }

    /// The entry for `key` (now the most recently used), or `end()`.
    iterator find(const Key& key) {
        auto it = index_.find(key);
        if (it == index_.end())
            return entries_.end();
        touch(it->second);
        return it->second;
    }
    /// The entry for `key` without counting it as a use, or `end()`.
    const_iterator find(const Key& key) const {
        auto it = index_.find(key);
        return it == index_.end() ? entries_.end() : const_iterator(it->second);
    }
    /// 1 when `key` is held (not a use), else 0.
    std::size_t count(const Key& key) const { return index_.count(key); }
    /// True when `key` is held (not a use).
    bool contains(const Key& key) const { return index_.count(key) > 0; }

    /// The value for `key`, default-made (and the oldest entry evicted if full) when absent.
    Value& operator[](const Key& key) { return try_emplace(key).first->second; }

    /// Adds `key` with a value made from `args` unless held; (entry, added). Either way the
    /// entry becomes the most recently used.
    template <typename... Args>
    std::pair<iterator, bool> try_emplace(const Key& key, Args&&... args) {
        if (auto it = index_.find(key); it != index_.end()) {
            touch(it->second);
            return {it->second, false};
        }
        entries_.emplace_back(std::piecewise_construct, std::forward_as_tuple(key),
                              std::forward_as_tuple(std::forward<Args>(args)...));
        auto added = std::prev(entries_.end());
        index_.emplace(key, added);
        if (entries_.size() > capacity_) {
            index_.erase(entries_.front().first);
            entries_.pop_front();
            ++evicted_;
        }
        return {added, true};
    }
    /// Sets `key` to `value`; (entry, added).
    template <typename V>
    std::pair<iterator, bool> insert_or_assign(const Key& key, V&& value) {
        auto r = try_emplace(key);
        r.first->second = std::forward<V>(value);
        return r;
    }

    /// Removes `key`; the number removed (0 or 1).
    std::size_t erase(const Key& key) {
        auto it = index_.find(key);
        if (it == index_.end())
            return 0;
        entries_.erase(it->second);
        index_.erase(it);
        return 1;
    }
    /// Removes every entry.
    void clear() {
        entries_.clear();
        index_.clear();
    }

    iterator begin() { return entries_.begin(); }  ///< the least recently used first
    iterator end() { return entries_.end(); }      ///< past the most recently used
    const_iterator begin() const { return entries_.begin(); }
    const_iterator end() const { return entries_.end(); }
    [[nodiscard]] std::size_t size() const { return entries_.size(); }
    [[nodiscard]] bool empty() const { return entries_.empty(); }
    [[nodiscard]] std::size_t capacity() const { return capacity_; }
    /// Entries forgotten to stay within the capacity, since construction.
    [[nodiscard]] std::size_t evicted() const { return evicted_; }

  private:
    void touch(iterator it) { entries_.splice(entries_.end(), entries_, it); }

    std::size_t capacity_;
    std::size_t evicted_ = 0;
    List entries_;
    std::map<Key, iterator, Compare> index_;
};

/// A set of at most `capacity` keys, least recently used first out (`insert` of a held key
/// counts as a use; `count` does not).
template <typename Key, typename Compare = std::less<Key>>
class BoundedSet {
  public:
    /// `capacity` must be at least 1.
    explicit BoundedSet(std::size_t capacity) : map_(capacity) {}

    /// Adds `key`; (key, added), as `std::set::insert`.
    std::pair<const Key&, bool> insert(const Key& key) {
        auto r = map_.try_emplace(key);
        return {r.first->first, r.second};
    }
    /// 1 when held, else 0.
    std::size_t count(const Key& key) const { return map_.count(key); }
    /// True when held.
    bool contains(const Key& key) const { return map_.contains(key); }
    /// Removes `key`; the number removed (0 or 1).
    std::size_t erase(const Key& key) { return map_.erase(key); }
    /// Removes every key.
    void clear() { map_.clear(); }
    [[nodiscard]] std::size_t size() const { return map_.size(); }
    [[nodiscard]] bool empty() const { return map_.empty(); }
    [[nodiscard]] std::size_t capacity() const { return map_.capacity(); }
    /// Keys forgotten to stay within the capacity, since construction.
    [[nodiscard]] std::size_t evicted() const { return map_.evicted(); }

  private:
    struct Empty {};
    BoundedMap<Key, Empty, Compare> map_;
};

}  // namespace hrmaild
