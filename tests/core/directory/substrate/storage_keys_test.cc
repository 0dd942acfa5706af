#include "core/directory/substrate/storage_keys.h"

#include <gtest/gtest.h>

namespace rmb::core {
namespace {

AccountId account(std::string_view h) { return *from_hex_fixed<32>(h); }

// PROTOCOL.md §10.2, every computed constant and key.
TEST(Twox128, KnownConstants) {
  EXPECT_EQ(to_hex(twox128("System")), "26aa394eea5630e07c48ae0c9558cef7");
  EXPECT_EQ(to_hex(twox128("TfgridModule")), "19a2526838feefd7695a3b5715b415b1");
  EXPECT_EQ(to_hex(twox128("Twins")), "311378229266fc86f673a3f4cf398e69");
  EXPECT_EQ(to_hex(twox128("TwinIdByAccountID")), "aca6514962aa3f0d58aff3524045f9e0");
  EXPECT_EQ(to_hex(twox128("TwinID")), "f0a47c737494e2f765486518570dbe24");
}

TEST(StorageKeys, SystemEvents) {
  const auto a = twox128("System"), b = twox128("Events");
  EXPECT_EQ(to_hex(a) + to_hex(b), "26aa394eea5630e07c48ae0c9558cef780d41e5e16056765bc8461851072c9d7");
}

TEST(StorageKeys, Twins) {
  EXPECT_EQ(to_hex(twins_storage_key(1)),
            "19a2526838feefd7695a3b5715b415b1311378229266fc86f673a3f4cf398e69d82c12285b5d4551f88e8f6e7eb52b8101000000");
  EXPECT_EQ(to_hex(twins_storage_key(7)),
            "19a2526838feefd7695a3b5715b415b1311378229266fc86f673a3f4cf398e6999850724010e3222888eeb8478c9ffd307000000");
  EXPECT_EQ(to_hex(twins_storage_key(55)),
            "19a2526838feefd7695a3b5715b415b1311378229266fc86f673a3f4cf398e69df262b29f22ced2a4084d2e58b11b52e37000000");
}

TEST(StorageKeys, TwinIdByAccountId) {
  EXPECT_EQ(to_hex(twin_id_by_account_storage_key(
                account("d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"))),
            "19a2526838feefd7695a3b5715b415b1aca6514962aa3f0d58aff3524045f9e0de1e86a9a8c739864cf3cc5ec2bea59f"
            "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d");
  EXPECT_EQ(to_hex(twin_id_by_account_storage_key(
                account("61c243346215f4dfa70d33affc5e568a52fb37859ff21296a28cdb75fcc2fb55"))),
            "19a2526838feefd7695a3b5715b415b1aca6514962aa3f0d58aff3524045f9e0c448c12e8229195e0106ca1bf5db8a4a"
            "61c243346215f4dfa70d33affc5e568a52fb37859ff21296a28cdb75fcc2fb55");
}

TEST(Blake2b, EmptyInputKnownAnswers) {
  // RFC 7693 / reference BLAKE2b-256 of the empty string.
  EXPECT_EQ(to_hex(blake2b_256({})), "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
  EXPECT_EQ(to_hex(blake2b_128({})), "cae66941d9efbd404e4d88758ea67670");
}

}  // namespace
}  // namespace rmb::core
