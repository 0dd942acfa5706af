#!/usr/bin/python3
"""Calls rmb-peer's gRPC API from Python: who am I (Info), then one request (Call).

Stubs come from proto/rmb/api/v1/gateway.proto; generate them first with ./gen.sh, which
uses Debian's protoc and grpc_python_plugin (packages protobuf-compiler-grpc, python3-grpcio).

    ./gen.sh && ./rmb_example.py --peer 127.0.0.1:7071 --dst 1 --cmd echo --data hi
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.environ.get("RMB_PY_STUBS", os.path.join(os.path.dirname(os.path.abspath(__file__)), "gen")))

import grpc  # noqa: E402
from rmb.api.v1 import gateway_pb2 as pb  # noqa: E402
from rmb.api.v1 import gateway_pb2_grpc as rpc  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peer", default=os.environ.get("RMB_PEER", "127.0.0.1:7070"), help="rmb-peer gRPC address")
    parser.add_argument("--dst", type=int, required=True, help="destination twin id")
    parser.add_argument("--cmd", required=True, help="remote command, e.g. echo")
    parser.add_argument("--data", default="", help="request payload (text)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds; becomes the envelope expiration")
    args = parser.parse_args()

    stub = rpc.GatewayStub(grpc.insecure_channel(args.peer))
    info = stub.Info(pb.InfoRequest(), timeout=5)
    links = {link.url: pb.RelayLink.State.Name(link.state) for link in info.relays}
    try:
        reply = stub.Call(pb.CallRequest(destination=pb.Address(twin=args.dst), command=args.cmd,
                                         data=args.data.encode()), timeout=args.timeout)
    except grpc.RpcError as err:
        # The RMB code travels in the status details as an rmb.api.v1.RmbError.
        detail = pb.RmbError()
        for key, value in err.trailing_metadata() or ():
            if key == "grpc-status-details-bin":
                detail.ParseFromString(value)
        print(json.dumps({"me": info.twin, "error": err.code().name, "rmb_code": detail.code,
                          "message": err.details()}))
        return 1
    print(json.dumps({"me": info.twin, "account": info.account_ss58, "relays": links,
                      "reply": {"from": reply.source.twin, "data": reply.data.decode(errors="replace")}}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
