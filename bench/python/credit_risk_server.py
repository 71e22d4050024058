"""The credit-risk model served as a data scientist would without Slipway.

FastAPI + uvicorn + scikit-learn (Debian's python3-fastapi, python3-uvicorn,
python3-sklearn), run with /usr/bin/python3. At start it trains the equivalent model on
the example's training data: standardised columns (categoricals one-hot, in the
manifest's order) and an L2 logistic regression with the example's penalty. Then it
serves POST /predict: one applicant record as JSON in, the class probabilities out, in
the shape Slipway's /v1/runs answers `predictions`.

    /usr/bin/python3 bench/python/credit_risk_server.py --train examples/credit-risk/data/train.csv --spec '{...}'

--spec is JSON: {"features": [...the manifest's tabular.features...],
"classLabels": [...], "l2": 0.001}. The benchmark harness (bench/suites/python.ts)
passes it from slipway.yaml, so the two servers cannot drift apart.

Like the harness's other server children it prints its URL as the first stdout line,
stops on SIGTERM, and exits when the harness goes away (its IPC channel, whose
descriptor Node passes in NODE_CHANNEL_FD, reaches end-of-file).
"""

import argparse
import csv
import json
import os
import socket
import sys
import threading
from typing import Literal

import numpy as np
import uvicorn
from fastapi import FastAPI
from pydantic import create_model
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def encode(record, features):
    """One row of model input: numerics as they are, booleans 0/1, categoricals one-hot."""
    row = []
    for f in features:
        value = record[f["name"]]
        if f["type"] == "categorical":
            row.extend(1.0 if value == c else 0.0 for c in f["categories"])
        elif f["type"] == "boolean":
            row.append(1.0 if value in (True, "true", "1", 1) else 0.0)
        else:
            row.append(float(value))
    return row


def train(path, features, l2):
    with open(path, newline="") as file:
        rows = list(csv.DictReader(file))
    names = {f["name"] for f in features}
    (label,) = [c for c in rows[0] if c not in names]
    x = np.array([encode(r, features) for r in rows])
    y = np.array([int(r[label]) for r in rows])
    # The example minimises mean log-loss + l2/2·|w|² on standardised columns;
    # scikit-learn minimises C·Σ log-loss + ½|w|², the same objective when C = 1/(l2·n).
    model = make_pipeline(StandardScaler(), LogisticRegression(C=1.0 / (l2 * len(y)), max_iter=1000))
    return model.fit(x, y)


def field_type(feature):
    if feature["type"] == "categorical":
        return Literal[tuple(feature["categories"])]
    return bool if feature["type"] == "boolean" else float


def create_app(model, features, class_labels):
    Applicant = create_model("Applicant", **{f["name"]: (field_type(f), ...) for f in features})
    app = FastAPI()

    @app.post("/predict")
    def predict(applicant: Applicant):
        p = model.predict_proba(np.array([encode(applicant.dict(), features)]))[0]
        return {
            "predictions": [
                {
                    "label": class_labels[int(np.argmax(p))],
                    "probabilities": {c: float(v) for c, v in zip(class_labels, p)},
                }
            ]
        }

    return app


def exit_when_parent_goes():
    fd = os.environ.get("NODE_CHANNEL_FD")
    if fd is None:
        return

    def watch():
        try:
            while os.read(int(fd), 4096):
                pass
        finally:
            os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--train", required=True)
    parser.add_argument("--spec", required=True)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    spec = json.loads(args.spec)
    model = train(args.train, spec["features"], spec["l2"])
    app = create_app(model, spec["features"], spec["classLabels"])

    # IPPROTO_TCP, not the default 0: asyncio sets TCP_NODELAY only on sockets that say
    # they are TCP, and without it Nagle's algorithm adds ~40 ms to every answer.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    # Listening before the URL is printed: the harness may connect at once, and the
    # backlog holds its connections until uvicorn accepts them.
    sock.listen(2048)
    exit_when_parent_goes()
    print(f"http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    config = uvicorn.Config(app, log_level="warning", access_log=False)
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    sys.exit(main())
