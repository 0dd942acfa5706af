#include "core/protocol/identity/mnemonic.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"

namespace rmb::core {

// Generated at build time from python3-mnemonic's english.txt (core/CMakeLists.txt).
extern const std::array<std::string_view, 2048> kBip39English;

namespace {

constexpr int kBitsPerWord = 11;

bool valid_word_count(size_t n) { return n >= 12 && n <= 24 && n % 3 == 0; }

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

// Splits on any run of ASCII whitespace, so pasted phrases with double spaces, tabs or a
// trailing newline read the same as the canonical single-spaced form.
std::vector<std::string_view> split_words(std::string_view phrase) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < phrase.size()) {
    while (i < phrase.size() && is_space(phrase[i])) ++i;
    size_t start = i;
    while (i < phrase.size() && !is_space(phrase[i])) ++i;
    if (i > start) words.push_back(phrase.substr(start, i - start));
  }
  return words;
}

// The BIP-39 list is sorted, so a binary search finds a word's 11-bit index.
int word_index(std::string_view word) {
  auto it = std::lower_bound(kBip39English.begin(), kBip39English.end(), word);
  if (it == kBip39English.end() || *it != word) return -1;
  return static_cast<int>(it - kBip39English.begin());
}

bool get_bit(const Bytes& data, size_t bit) { return (data[bit / 8] >> (7 - bit % 8)) & 1; }
void set_bit(Bytes& data, size_t bit) { data[bit / 8] |= static_cast<uint8_t>(0x80 >> (bit % 8)); }

std::array<uint8_t, crypto_hash_sha256_BYTES> sha256(ByteView data) {
  std::array<uint8_t, crypto_hash_sha256_BYTES> out{};
  crypto_hash_sha256(out.data(), data.data(), data.size());
  return out;
}

// Shows a bad word in an error without flooding the terminal when someone pastes a file.
std::string shown_word(std::string_view word) {
  constexpr size_t kMax = 32;
  if (word.size() <= kMax) return std::string(word);
  return std::string(word.substr(0, kMax)) + "...";
}

}  // namespace

absl::StatusOr<Bytes> mnemonic_to_entropy(std::string_view phrase) {
  const std::vector<std::string_view> words = split_words(phrase);
  if (!valid_word_count(words.size())) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid mnemonic: it has ", words.size(), " words, expected 12, 15, 18, 21 or 24"));
  }
  const size_t total_bits = words.size() * kBitsPerWord;
  const size_t checksum_bits = total_bits / 33;
  const size_t entropy_bits = total_bits - checksum_bits;

  // Entropy plus checksum, rounded up to whole bytes.
  Bytes bits((total_bits + 7) / 8, 0);
  for (size_t w = 0; w < words.size(); ++w) {
    const int index = word_index(words[w]);
    if (index < 0) {
      return absl::InvalidArgumentError(absl::StrCat("invalid mnemonic: word ", w + 1, " \"", shown_word(words[w]),
                                                     "\" is not in the BIP-39 English list"));
    }
    for (int b = 0; b < kBitsPerWord; ++b) {
      if ((index >> (kBitsPerWord - 1 - b)) & 1) set_bit(bits, w * kBitsPerWord + b);
    }
  }

  Bytes entropy(bits.begin(), bits.begin() + static_cast<std::ptrdiff_t>(entropy_bits / 8));
  const auto digest = sha256(entropy);
  for (size_t i = 0; i < checksum_bits; ++i) {
    if (get_bit(bits, entropy_bits + i) != ((digest[i / 8] >> (7 - i % 8)) & 1)) {
      sodium_memzero(bits.data(), bits.size());
      sodium_memzero(entropy.data(), entropy.size());
      return absl::InvalidArgumentError("invalid mnemonic: checksum mismatch");
    }
  }
  sodium_memzero(bits.data(), bits.size());
  return entropy;
}

absl::StatusOr<std::string> entropy_to_mnemonic(ByteView entropy) {
  const size_t n = entropy.size();
  if (n < 16 || n > 32 || n % 4 != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid entropy length ", n, " bytes, expected 16, 20, 24, 28 or 32"));
  }
  const size_t entropy_bits = n * 8;
  const size_t checksum_bits = entropy_bits / 32;
  Bytes bits(entropy.begin(), entropy.end());
  bits.push_back(sha256(entropy)[0]);  // at most 8 checksum bits are needed

  std::string phrase;
  const size_t word_count = (entropy_bits + checksum_bits) / kBitsPerWord;
  for (size_t w = 0; w < word_count; ++w) {
    int index = 0;
    for (int b = 0; b < kBitsPerWord; ++b) {
      index = (index << 1) | (get_bit(bits, w * kBitsPerWord + b) ? 1 : 0);
    }
    if (!phrase.empty()) phrase += ' ';
    phrase += kBip39English[static_cast<size_t>(index)];
  }
  sodium_memzero(bits.data(), bits.size());
  return phrase;
}

absl::StatusOr<std::string> generate_mnemonic(int words) {
  if (words < 0 || !valid_word_count(static_cast<size_t>(words))) {
    return absl::InvalidArgumentError(absl::StrCat("invalid word count ", words, ", expected 12, 15, 18, 21 or 24"));
  }
  if (sodium_init() < 0) return absl::InternalError("libsodium failed to initialise");
  Bytes entropy(static_cast<size_t>(words) * 4 / 3);
  randombytes_buf(entropy.data(), entropy.size());
  auto phrase = entropy_to_mnemonic(entropy);
  sodium_memzero(entropy.data(), entropy.size());
  return phrase;
}

}  // namespace rmb::core
