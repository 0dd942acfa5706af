#include "core/directory/substrate/extrinsic.h"

#include "absl/strings/str_cat.h"
#include "core/directory/substrate/scale.h"

namespace rmb::core {

Bytes encode_update_twin_call(const UpdateTwinCall& call) {
  ScaleWriter w;
  w.u8(kTfgridPalletIndex);
  w.u8(kUpdateTwinCallIndex);
  w.option_bytes(call.relay);
  w.option_bytes(call.pk);
  return w.take();
}

absl::StatusOr<UpdateTwinCall> decode_update_twin_call(ByteView bytes) {
  ScaleReader r(bytes, "update_twin call");
  auto pallet = r.u8("pallet index");
  if (!pallet.ok()) return pallet.status();
  auto index = r.u8("call index");
  if (!index.ok()) return index.status();
  if (*pallet != kTfgridPalletIndex || *index != kUpdateTwinCallIndex) {
    return absl::InvalidArgumentError(absl::StrCat("not TfgridModule.update_twin: pallet ", *pallet, " call ", *index));
  }
  UpdateTwinCall call;
  auto relay = r.option_bytes(kChainRelayMaxBytes, "relay");
  if (!relay.ok()) return relay.status();
  call.relay = *std::move(relay);
  auto pk = r.option_bytes(kChainPkMaxBytes, "pk");
  if (!pk.ok()) return pk.status();
  call.pk = *std::move(pk);
  if (auto st = r.expect_end(); !st.ok()) return st;
  return call;
}

Bytes signing_payload(ByteView call, uint64_t nonce, uint64_t tip, const ChainContext& context) {
  ScaleWriter w;
  w.raw(call);
  w.u8(kImmortalEra);
  w.compact(nonce);
  w.compact(tip);
  w.u32(context.spec_version);
  w.u32(context.transaction_version);
  w.raw(context.genesis_hash);
  w.raw(context.genesis_hash);  // the era's block: the genesis for an immortal era
  Bytes payload = w.take();
  if (payload.size() > 256) {
    const Hash256 h = blake2b_256(payload);
    return Bytes(h.begin(), h.end());
  }
  return payload;
}

Bytes build_signed_extrinsic(ByteView call, const Signer& signer, uint64_t nonce, uint64_t tip,
                             const ChainContext& context) {
  const Signature65 sig = signer.sign(signing_payload(call, nonce, tip, context));
  ScaleWriter body;
  body.u8(kExtrinsicVersionSigned);
  body.u8(kMultiAddressId);
  body.raw(signer.account());
  body.u8(signer.type() == KeyType::kEd25519 ? kMultiSignatureEd25519 : kMultiSignatureSr25519);
  body.raw(ByteView(sig).subspan(1));  // the 64 bytes after RMB's prefix byte
  body.u8(kImmortalEra);
  body.compact(nonce);
  body.compact(tip);
  body.raw(call);
  ScaleWriter out;
  out.bytes(body.data());
  return out.take();
}

absl::StatusOr<SignedExtrinsic> decode_signed_extrinsic(ByteView extrinsic) {
  ScaleReader outer(extrinsic, "extrinsic");
  auto body = outer.bytes(extrinsic.size(), "body");
  if (!body.ok()) return body.status();
  if (auto st = outer.expect_end(); !st.ok()) return st;
  ScaleReader r(*body, "extrinsic");
  auto version = r.u8("version");
  if (!version.ok()) return version.status();
  if (*version != kExtrinsicVersionSigned) {
    return absl::InvalidArgumentError(absl::StrCat("extrinsic version byte ", *version, ", expected 0x84 (signed v4)"));
  }
  auto address = r.u8("address type");
  if (!address.ok()) return address.status();
  if (*address != kMultiAddressId) {
    return absl::InvalidArgumentError(absl::StrCat("address type ", *address, ", only MultiAddress::Id (0) supported"));
  }
  SignedExtrinsic out;
  auto account = r.raw(32, "signer");
  if (!account.ok()) return account.status();
  std::copy(account->begin(), account->end(), out.signer.begin());
  auto sig_type = r.u8("signature type");
  if (!sig_type.ok()) return sig_type.status();
  if (*sig_type == kMultiSignatureEd25519) {
    out.key_type = KeyType::kEd25519;
  } else if (*sig_type == kMultiSignatureSr25519) {
    out.key_type = KeyType::kSr25519;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("signature type ", *sig_type, ", expected ed25519 (0) or sr25519 (1)"));
  }
  auto sig = r.raw(64, "signature");
  if (!sig.ok()) return sig.status();
  std::copy(sig->begin(), sig->end(), out.signature.begin());
  auto era = r.u8("era");
  if (!era.ok()) return era.status();
  if (*era != kImmortalEra) return absl::InvalidArgumentError("only immortal eras are supported");
  auto nonce = r.compact("nonce");
  if (!nonce.ok()) return nonce.status();
  out.nonce = *nonce;
  auto tip = r.compact("tip");
  if (!tip.ok()) return tip.status();
  out.tip = *tip;
  auto call = r.raw(r.remaining(), "call");
  if (!call.ok()) return call.status();
  out.call.assign(call->begin(), call->end());
  if (out.call.empty()) return absl::InvalidArgumentError("extrinsic without a call");
  return out;
}

}  // namespace rmb::core
