package scoring

// AccountModel is a fitted logistic regression over AccountInputs:
// P(fake) = sigmoid(Bias + sum W[i] * (x[i]-Mean[i])/SD[i]), with unknown
// inputs at their mean. Threshold is the P(fake) at or above which an
// account is counted as fake; Sensitivity and Specificity are the model's
// rates at that threshold on held-out data, used to correct the share of
// flagged accounts for misclassification.
type AccountModel struct {
	// Data names the labeled data the model was fitted on.
	Data        string
	Bias        float64
	Mean        [NumAccountInputs]float64
	SD          [NumAccountInputs]float64
	W           [NumAccountInputs]float64
	Threshold   float64
	Sensitivity float64
	Specificity float64
}

// Logit returns the model's log-odds that the account with inputs f is fake,
// and each input's contribution to it (0 for unknown inputs).
func (m *AccountModel) Logit(f AccountFeatures) (z float64, contrib [NumAccountInputs]float64) {
	z, contrib, _ = m.logit(f)
	return z, contrib
}

// logit is Logit that also counts the known inputs.
func (m *AccountModel) logit(f AccountFeatures) (z float64, contrib [NumAccountInputs]float64, known int) {
	x, isKnown := AccountInputs(f)
	scale := &shippedScale
	if m != &ShippedAccountModel {
		scale = new([NumAccountInputs]float64)
		m.scales(scale)
	}
	z = m.Bias
	for i := range x {
		if !isKnown[i] {
			continue
		}
		known++
		c := scale[i] * (x[i] - m.Mean[i])
		contrib[i] = c
		z += c
	}
	return z, contrib, known
}

// scales sets s[i] to W[i]/SD[i], or 0 where SD[i] is 0 (an input the fit
// never saw vary).
func (m *AccountModel) scales(s *[NumAccountInputs]float64) {
	for i := range s {
		s[i] = 0
		if m.SD[i] != 0 {
			s[i] = m.W[i] / m.SD[i]
		}
	}
}

// shippedScale is ShippedAccountModel's W/SD, computed once.
var shippedScale = func() (s [NumAccountInputs]float64) {
	ShippedAccountModel.scales(&s)
	return s
}()
