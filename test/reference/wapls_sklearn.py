"""Independent reference for the WAPLS local fit of src/core/chemometrics/mbl.ts (waplsLocal).

scikit-learn PLSRegression(scale=False) with j = 3..8 components on neighbours 0..29 of the
deterministic data of test/core/chemometrics/pls.test.ts; each j weighted by
1 / (RMS of the target's reconstruction residual x RMS of the j-component coefficients),
normalised; the average clipped to the neighbours' y range. Prints the numbers pasted into
test/core/chemometrics/mbl.test.ts.  Run: /usr/bin/python3 test/reference/wapls_sklearn.py (Debian python3-sklearn 1.2.1)
"""
import numpy as np
from sklearn.cross_decomposition import PLSRegression

i = np.arange(40)[:, None]
j = np.arange(12)[None, :]
X = np.sin(0.1 * (i + 1) * (j + 1)) + np.cos(0.37 * i + 0.11 * j * j)
y = 2 * X[:, 0] - X[:, 5] + 0.5 * X[:, 7] ** 2 + 0.1 * np.sin(np.arange(40))
nb = np.arange(30)
for target in (35, 39):
    xt = X[target]
    preds, weights = [], []
    for a in range(3, 9):
        m = PLSRegression(n_components=a, scale=False).fit(X[nb], y[nb])
        xc = xt - X[nb].mean(axis=0)
        t = xc @ m.x_rotations_
        resid = xc - t @ m.x_loadings_.T
        coef = m.x_rotations_ @ m.y_loadings_.T
        weights.append(1 / (np.sqrt(np.mean(resid ** 2)) * np.sqrt(np.mean(coef ** 2))))
        preds.append(float(m.predict(xt[None, :]).ravel()[0]))
    w = np.array(weights) / np.sum(weights)
    p = float(np.clip(np.dot(w, preds), y[nb].min(), y[nb].max()))
    print(target, repr(p), [repr(v) for v in preds])
