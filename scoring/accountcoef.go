package scoring

// ShippedAccountModel is the per-account fake model in use: a logistic
// regression fitted by `go run ./cmd/scout eval -fit` (L2 penalty 5, classes
// and data sets weighted equally) on
//
//   - InstaFake, Akyon & Kalfaoglu 2019 (Instagram, 200 fake / 994 genuine,
//     CC BY-NC 4.0), all rows, and
//   - instagram-fake-spammer (Instagram, hand-labeled, March 2019),
//     insta_train.csv (288 fake / 288 genuine),
//
// both from ../shared/datasets. Sensitivity and Specificity, used to correct
// the flagged share of an audience for misclassification, are 10-fold
// cross-validated figures of the same features and penalty over both fitted
// sets (1,770 accounts). On the held-out instagram-fake-spammer
// insta_test.csv (60 / 60), which the fit never saw, the shipped model has
// accuracy 0.933, sensitivity 0.950 and specificity 0.917, AUC 0.985 (see
// `scout eval`). Only the
// coefficients are shipped, not the data.
//
// The data sets know nothing of verified badges or account age, so those
// inputs are not in the regression; see accountPriors for how they are used.
var ShippedAccountModel = AccountModel{
	Data:        "InstaFake (Akyon & Kalfaoglu 2019) + instagram-fake-spammer insta_train.csv, equal weight",
	Bias:        -1.3298,
	Mean:        [NumAccountInputs]float64{0.850847, 0.567797, 5.30464, 5.76664, 2.73354, 0.177401, 1.76019, 0.083529, 0.116319, 0.736841, 31.5688, 35.2508, 11.0961, 0.487006},
	SD:          [NumAccountInputs]float64{0.356239, 0.495382, 1.8519, 1.41301, 1.90364, 0.382008, 1.84873, 0.162014, 0.320608, 1.26969, 22.4087, 14.421, 11.2347, 0.499831},
	W:           [NumAccountInputs]float64{-0.924651, -0.507472, -0.846705, -0.643837, -0.20514, 0.239084, -0.226272, 1.06961, -2.3088, 1.33943, -0.471017, 0.70946, -0.356778, 0.0979173},
	Threshold:   0.5,
	Sensitivity: 0.9324,
	Specificity: 0.9516,
}
