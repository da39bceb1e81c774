#pragma once
/// Where OAuth-app mode keeps its tokens between runs. Bitrix24 hands out a NEW refresh token
/// on every refresh and the old one stops working, so the newest must survive a crash: it is
/// written atomically (temp file, fsync, rename, fsync of the folder) with mode 0600.
#include "daemon/core/secret.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace hrmaild::bitrix {

/// The token pair as last received from the OAuth server.
struct StoredTokens {
    Secret refresh_token;
    Secret access_token;
    std::int64_t expires = 0;  ///< unix seconds when the access token expires (0: unknown)
};

/// A mode-0600 JSON file in the state folder.
class TokenStore {
  public:
    /// The file `bitrix-oauth.json` in `state_dir`.
    explicit TokenStore(std::filesystem::path state_dir);

    /// The saved tokens; nullopt when there is no file yet. A file that cannot be read or
    /// parsed also gives nullopt, with the reason in `why` (never the token itself).
    [[nodiscard]] std::optional<StoredTokens> load(std::string* why = nullptr) const;
    /// Replaces the file atomically. False with the reason in `why` on failure.
    bool save(const StoredTokens& tokens, std::string* why = nullptr) const;
    /// The file's path.
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

}  // namespace hrmaild::bitrix
