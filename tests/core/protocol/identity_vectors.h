#pragma once
// PROTOCOL.md §3.2 known-answer vectors, shared by the identity tests.
#include <string>
#include <vector>

namespace rmb::test {

struct KeyVector {
  std::string secret;
  std::string entropy;      // empty for hex secrets
  std::string mini_secret;  // = ed25519 seed = secp256k1 secret key
  std::string ed25519_pub;
  std::string sr25519_pub;
  std::string secp256k1_pub;
};

inline const std::vector<KeyVector>& key_vectors() {
  static const std::vector<KeyVector> vectors = {
      {"neck stage box cup core magic produce exercise happy rely vocal then", "93ba846a1ad3050baaea7a68f6afd570",
       "aa4e323bade8609a595108b585c4135855430c411ccf7923f81438cd8a188fce",
       "61c243346215f4dfa70d33affc5e568a52fb37859ff21296a28cdb75fcc2fb55",
       "60fe3393cc329aa1044be6adaa37f9d0689327dd25c11475d4a86651d6727a48",
       "0351f2bca8c281fceb6f093f11aac40ebc40ad69434db1e9fb1a8d16fa6083be55"},
      {"volume behind cable present pull exchange wish loyal avocado snap film increase",
       "f5c2907fd50ad49d7f24240ff9a95939", "b37231837527c7173dc212bb23a7fe795d5dae540e7c21366a5fb9f4cc398a36",
       "07e41c929a661a0dd976238b27d12884def9b59354535d6eee883c9d52d2dce1",
       "942a5dc287ca18e4035f8f7863ff27103905651968385c7b1eb03fac20027146",
       "037135b487c4b55db4813e940c8c426f123184581029bd3ee0eca5e00602e3e292"},
      {"tackle blouse grain dawn adult loyal tattoo price access tilt chimney silk", "dd0305961bf03d09379553015c40a064",
       "af092e458b87bdd7d349ac4407dff60a67c7237c63b196d55b7ee845f5a48617",
       "32a1716189665466061fd55b4e3f1431c88f62e2a33c0a19c299c095746f67e0",
       "a29acf9a22068341a51a1b4e44fc743f3aafbec30bcf9a45264cafe855195764",
       "030ad72f9f05d8a4fe1d462f264f427d1ef9eba6dba234d7a01e1122157264778f"},
      {"garage dad improve reunion girl saddle theory know label reason fantasy deputy",
       "5f66ddc85c26257bb813df7c36614c1d", "b724b4b8286f9e0f36ae3240646c9c3b1aacc99ffc743f5c6c69f835aae369bc",
       "4f57e74a4eac994d1e7f455ef2c45331fcb56db0995e6e88e8c42342b3c84be4",
       "24caf6933db462e57de33c1f24711087a922ac1f63306eba0a23caa9a442dd01",
       "0327e206ea5ca386c560096d2a0491e52957083af3cfd62a754c93eeecc87bb066"},
      {"bottom drive obey lake curtain smoke basket hold race lonely fit walk", "1a486a5fbe53639984cb64b070755f7b",
       "fac7959dbfe72f052e5a0c3c8d6530f202b02fd8f9f5ca3580ec8deb7797479e",
       "345071da55e5dccefaaa440339415ef9f2663338a38f7da0df21be5ab4e055ef",
       "46ebddef8cd9bb167dc30878d7113b7e168e6f0646beffd77d69d39bad76b47a",
       "035b26108e8b97479c547da4860d862dc08ab2c29ada449c74d5a9a58a6c46a8c4"},
      {"0x340f7341b312bcc61aeea7a76d759d809b8601cbc6d22cb2817278e346137a5d", "",
       "340f7341b312bcc61aeea7a76d759d809b8601cbc6d22cb2817278e346137a5d",
       "922b07df6a39450574ce91295b17e1be17a5c67c1975226d137647bcf8cf8045",
       "6c64c96b606531bb8f225488ec5bf6f53b05b729b9f9859d56501d92be9bf378",
       "032965609be627c7656bdce629af8537513238041aafd8a6dac524d6e5206747f0"},
  };
  return vectors;
}

// SS58 (prefix 42) <-> account hex pairs from §3.2.
struct Ss58Vector {
  std::string ss58;
  std::string hex;
};

inline const std::vector<Ss58Vector>& ss58_vectors() {
  static const std::vector<Ss58Vector> vectors = {
      // neck... ed25519 and sr25519
      {"5EGtD8gtMcKPupQ187AY8VMx3SP6489nnFUv7b9cC2eRKiqw",
       "61c243346215f4dfa70d33affc5e568a52fb37859ff21296a28cdb75fcc2fb55"},
      {"5EFsy5c74SbTa7yWs9TjRKEEfrHSYq4TDYXuPGThdKsonsFp",
       "60fe3393cc329aa1044be6adaa37f9d0689327dd25c11475d4a86651d6727a48"},
      // garage... sr25519 (Go SDK twin 1171)
      {"5CtwsdH1ggRAgCv2GVfBviWywHzwsYJvhPWhmShpx2DGnb6B",
       "24caf6933db462e57de33c1f24711087a922ac1f63306eba0a23caa9a442dd01"},
      // //Alice ed25519, sr25519; //Bob ed25519, sr25519
      {"5FA9nQDVg267DEd8m1ZypXLBnvN7SFxYwV7ndqSYGiN9TTpu",
       "88dc3417d5058ec4b4503e0c12ea1a0a89be200fe98922423d4334014fa6b0ee"},
      {"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY",
       "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"},
      {"5GoNkf6WdbxCFnPdAnYYQyCjAKPJgLNxXwPjwTh6DGg6gN3E",
       "d17c2d7823ebf260fd138f2d7e27d114c0145d968b5ff5006125f2414fadae69"},
      {"5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty",
       "8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48"},
      // devnet twins 1 and 55 from the rmb-rs tests
      {"5Eh2stFNQX4khuKoh2a1jQBVE91Lv3kyJiVP2Y5webontjRe",
       "742d54eb9c3cc4c3441a9bfaf9fc3869fd9e6e0cdf4222ece6bd4d8d1413d47b"},
      {"5EyHmbLydxX7hXTX7gQqftCJr2e57Z3VNtgd6uxJzZsAjcPb",
       "80936335b48c1c9ec0bc4ee4710e8c97d28dad99ca61151da57ab5cf08905f59"},
  };
  return vectors;
}

}  // namespace rmb::test
