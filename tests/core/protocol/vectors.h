#pragma once
// Known-answer vectors copied from PROTOCOL.md (Appendix A, §3.2, §9.4). Each value was
// computed there with independent libraries; our code must reproduce them byte for byte.
#include <string>

#include "core/protocol/identity/key_type.h"
#include "core/util/bytes.h"
#include "gtest/gtest.h"
#include "rmb/types.pb.h"

namespace rmb::core::vectors {

// Appendix A signing key (the `neck…` mini-secret).
inline constexpr char kSeed[] = "aa4e323bade8609a595108b585c4135855430c411ccf7923f81438cd8a188fce";
inline constexpr char kEdPub[] = "61c243346215f4dfa70d33affc5e568a52fb37859ff21296a28cdb75fcc2fb55";
inline constexpr char kSrPub[] = "60fe3393cc329aa1044be6adaa37f9d0689327dd25c11475d4a86651d6727a48";

inline constexpr char kUidA[] = "9d5a3d51-2a5c-4b1e-8b9c-3f7e2a1b0c4d";

// §9.4 "hello world" cipher payload, also vector B's cipher.
inline constexpr char kHelloCipher[] = "000102030405060708090a0b23d9436ad14a4e855f47c13cb90ba01f45fe85318e8671f2ec3c16";

struct EnvelopeVector {
  const char* name;
  const char* challenge_hex;  // the §2.1 byte stream
  const char* md5;
  const char* sig65;     // ed25519
  const char* envelope;  // signed protobuf bytes
};

inline constexpr EnvelopeVector kA{
    "A",
    "",  // given as text in PROTOCOL.md; the test hex-encodes kChallengeA
    "2130548edf6ee59b5e2856e259b24027",
    "65e59078e574587007648676f7a1895fadcb99ab156621426ec63183d93ca954d48e10778893d922eab2190dcbe61d"
    "0d0561c0cc5f8d4f05db9af199e139144605",
    "0a2439643561336435312d326135632d346231652d386239632d3366376532613162306334641880e2cfaa0620ac02"
    "2a020807320208373a140a127a6f732e73797374656d2e76657273696f6e4a4165e59078e574587007648676f7a189"
    "5fadcb99ab156621426ec63183d93ca954d48e10778893d922eab2190dcbe61d0d0561c0cc5f8d4f05db9af199e139"
    "14460552106170706c69636174696f6e2f6a736f6e6a072268656c6c6f22"};
inline constexpr char kChallengeA[] =
    "9d5a3d51-2a5c-4b1e-8b9c-3f7e2a1b0c4d1700000000300755zos.system.versionapplication/json\"hello\"";
inline constexpr char kSrSigA[] =
    "73403fbad5d7c0674064047c77e465c13bfcace30bea8ebb60bf877a5cc0c53a4f2d2fa79a127b5b0b25b4e1e13fe1"
    "b9947b0b260ba1a7d1a04a3a6ccf9052d98f";

inline constexpr EnvelopeVector kB{
    "B",
    "752d316661696c2d6661737431373030303030303030363037736573733135357863616c632e6164646170706c6963"
    "6174696f6e2f6a736f6e6f6c642e72656c6179000102030405060708090a0b23d9436ad14a4e855f47c13cb90ba01f"
    "45fe85318e8671f2ec3c1672312e6578616d706c652e636f6d72322e6578616d706c652e636f6d",
    "4a60ab51c1129fbec6d8d61559b1ffa4",
    "65529ba9c08fdffdfb26be506c05e8d86a50e2a1113ae0616427f3f244d21e808928e8c96ca9f767443b1ff84cfe05"
    "99b94f58bf85cde8b99550dcf1c5275f000a",
    "0a03752d3112096661696c2d666173741880e2cfaa06203c2a09080712057365737331320508371201783a0a0a0863"
    "616c632e6164644a4165529ba9c08fdffdfb26be506c05e8d86a50e2a1113ae0616427f3f244d21e808928e8c96ca9"
    "f767443b1ff84cfe0599b94f58bf85cde8b99550dcf1c5275f000a52106170706c69636174696f6e2f6a736f6e5a09"
    "6f6c642e72656c61797227000102030405060708090a0b23d9436ad14a4e855f47c13cb90ba01f45fe85318e8671f2"
    "ec3c168a010e72312e6578616d706c652e636f6d8a010e72322e6578616d706c652e636f6d"};

inline constexpr EnvelopeVector kC{
    "C", "", "653cee2231aaf9da8b864d8c57d72fda",
    "650437157e4685f561a9958f6dd9480ce2adb09243db0abddc76af9e2d7625358d0b7e8af276777d3d2a7d5c766d98"
    "4182470d3ff8bb75f0a22363854048a49404",
    "0a2439643561336435312d326135632d346231652d386239632d3366376532613162306334641885e2cfaa0620880e"
    "2a0208373202080742004a41650437157e4685f561a9958f6dd9480ce2adb09243db0abddc76af9e2d7625358d0b7e"
    "8af276777d3d2a7d5c766d984182470d3ff8bb75f0a22363854048a4940452106170706c69636174696f6e2f6a736f"
    "6e6a0b7b2276223a22312e30227d"};
inline constexpr char kChallengeC[] =
    "9d5a3d51-2a5c-4b1e-8b9c-3f7e2a1b0c4d17000000051800557application/json{\"v\":\"1.0\"}";

inline constexpr EnvelopeVector kD{
    "D", "", "1c200f57d1c1858d95499939af3c9a02",
    "65bac4062e9cf0b4e608045490b8521ca005f7dd7f319d3720284bfd91eed3058ad0f6929f523902d4006d9c25d215"
    "c50d99dc74453384375bf872461b6a2fa90c",
    "0a03752d321885e2cfaa0620ac022a020837320208074a4165bac4062e9cf0b4e608045490b8521ca005f7dd7f319d"
    "3720284bfd91eed3058ad0f6929f523902d4006d9c25d215c50d99dc74453384375bf872461b6a2fa90c6221086812"
    "1d696e76616c696420656e76656c6f7065207369676e61747572653a2078"};
inline constexpr char kChallengeD[] = "u-21700000005300557104invalid envelope signature: x";

// E is an unsigned ping; only its challenge and md5 are given.
inline constexpr char kEnvelopeE[] = "0a03702d311880e2cfaa0620282a0908071205736573733132007a00";
inline constexpr char kChallengeE[] = "p-11700000000407sess10";
inline constexpr char kMd5E[] = "e956f5f2048b8a48af545a136716e3e9";

inline constexpr char kBacklog[] = "0a01751201721a017128ac02";
inline constexpr char kBacklogExplicitModule[] = "0a01751201721a0171220028ac02";

// JWT vectors (same key, twin 7, iat 1700000000, exp 1700000300).
inline constexpr char kJwtNullSid[] =
    "eyJhbGciOiJSUzUxMiJ9.eyJzdWIiOjcsInNpZCI6bnVsbCwiaWF0IjoxNzAwMDAwMDAwLCJleHAiOjE3MDAwMDAzMDB9."
    "Ze06jlVc7lfVTeYv0FglT5heNJjxnzRFBYvNCRaEzR8gcDlkA9e5aPeyf4qs7KhdLt8f4nJVFlj90X7t4A2F7w8";
inline constexpr char kJwtSess1[] =
    "eyJhbGciOiJSUzUxMiJ9.eyJzdWIiOjcsInNpZCI6InNlc3MxIiwiaWF0IjoxNzAwMDAwMDAwLCJleHAiOjE3MDAwMDAz"
    "MDB9.ZabqVPcmtDvkxrFU6BYTxUrxjHpp_lQl-HJuJD9N_1-ZzbaDydS0diGZOvuOiqaXNhPotQjXY5mc5ZC7JLPhqgo";
inline constexpr char kJwtSr[] =
    "eyJhbGciOiJSUzUxMiJ9.eyJzdWIiOjcsInNpZCI6bnVsbCwiaWF0IjoxNzAwMDAwMDAwLCJleHAiOjE3MDAwMDAzMDB9."
    "c3QUE2MuZ5DDM_I5zrIe-bvxT38T_9sTbKsbwFQW2JUTdQw2DsW0UMrpufXbs7LMlA2Zfl43plueHB2l6Xp1o40";

// §9.4
inline constexpr char kE2eSk1[] = "340f7341b312bcc61aeea7a76d759d809b8601cbc6d22cb2817278e346137a5d";
inline constexpr char kE2ePk1[] = "032965609be627c7656bdce629af8537513238041aafd8a6dac524d6e5206747f0";
inline constexpr char kE2eSk2[] = "af092e458b87bdd7d349ac4407dff60a67c7237c63b196d55b7ee845f5a48617";
inline constexpr char kE2ePk2[] = "030ad72f9f05d8a4fe1d462f264f427d1ef9eba6dba234d7a01e1122157264778f";
inline constexpr char kE2eX[] = "bb0699edda0338d2c429699769af70c0304714039d57c4deb02f06a7d8a6ad57";
inline constexpr char kE2eK[] = "310c92d71d96dde9e27a6ed82297ab574534bbf88fd2e1c1bd62eb3b9b7c48a1";
inline constexpr char kEmptyCipher[] = "000102030405060708090a0b2535329f17a7861841c76e50b403b436";

// Helpers for the tests: decode or fail the test loudly.
inline Bytes hex(std::string_view text) {
  auto out = from_hex(text);
  EXPECT_TRUE(out.ok()) << text;
  return out.ok() ? *out : Bytes{};
}
inline std::string hex_str(std::string_view text) {
  Bytes b = hex(text);
  return std::string(b.begin(), b.end());
}
template <size_t N>
std::array<uint8_t, N> hex_fixed(std::string_view text) {
  auto out = from_hex_fixed<N>(text);
  EXPECT_TRUE(out.ok()) << text;
  return out.ok() ? *out : std::array<uint8_t, N>{};
}

// The envelopes of Appendix A built from their listed fields (unsigned).
rmb::Envelope build_a();
rmb::Envelope build_b();
rmb::Envelope build_c();
rmb::Envelope build_d();
rmb::Envelope build_e();

}  // namespace rmb::core::vectors
