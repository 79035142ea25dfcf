package scoring

// AccountModel is a fitted additive logistic model (a GAM) over
// AccountInputs: each input has a step function of its value, and
//
//	P(fake) = sigmoid(Bias + sum over inputs of Effect_i(x_i))
//
// where Effect_i(x) is Steps[i][k] for the k cuts of Cuts[i] that x lies
// above. An unknown input's effect is Missing[i], learned from training
// accounts whose field was hidden (the fit hides field groups at random),
// so the model marginalises an unknown field over the training accounts
// instead of imputing a value for it. Center[i] is the input's mean effect
// over the training accounts where it was known, the zero of the effects
// that ScoreAccount reports.
//
// Threshold is the P(fake) at or above which an account is counted as fake;
// Sensitivity and Specificity are the model's rates at that threshold on
// held-out data, used to correct the share of flagged accounts for
// misclassification. An AccountModel is read-only once built and safe for
// concurrent use.
type AccountModel struct {
	// Data names the labeled data the model was fitted on.
	Data        string
	Bias        float64
	Cuts        [NumAccountInputs][]float64
	Steps       [NumAccountInputs][]float64
	Missing     [NumAccountInputs]float64
	Center      [NumAccountInputs]float64
	Threshold   float64
	Sensitivity float64
	Specificity float64
	// Band is a band of thresholds around Threshold with the model's
	// held-out rates at each: the audience's fake share is reported as the
	// range over the band.
	Band [3]OperatingPoint
}

// OperatingPoint is a classifier's held-out sensitivity and specificity at
// one threshold.
type OperatingPoint struct {
	Threshold   float64
	Sensitivity float64
	Specificity float64
}

// Effect returns input i's contribution to the log-odds at value x.
func (m *AccountModel) Effect(i int, x float64) float64 {
	cuts := m.Cuts[i]
	k := 0
	for k < len(cuts) && x > cuts[k] {
		k++
	}
	if k >= len(m.Steps[i]) {
		return 0
	}
	return m.Steps[i][k]
}

// Logit returns the model's log-odds that an account with inputs x (known
// where known is true) is fake, each known input's effect relative to its
// Center, and the number of known inputs.
func (m *AccountModel) Logit(x *[NumAccountInputs]float64, known *[NumAccountInputs]bool) (z float64, contrib [NumAccountInputs]float64, n int) {
	z = m.Bias
	for i := range x {
		if !known[i] {
			z += m.Missing[i]
			continue
		}
		n++
		e := m.Effect(i, x[i])
		z += e
		contrib[i] = e - m.Center[i]
	}
	return z, contrib, n
}

// logitOnly is Logit without the per-input effects, for the audience loop.
func (m *AccountModel) logitOnly(x *[NumAccountInputs]float64, known *[NumAccountInputs]bool) (z float64, n int) {
	z = m.Bias
	for i := range x {
		if !known[i] {
			z += m.Missing[i]
			continue
		}
		n++
		z += m.Effect(i, x[i])
	}
	return z, n
}

// maxCompiledCuts is the most cuts per input the compiled form holds.
const maxCompiledCuts = 12

// compiledModel is an AccountModel in fixed-size arrays, for the audience
// loop: no slice headers or bounds checks per input.
type compiledModel struct {
	ok      bool
	bias    float64
	n       [NumAccountInputs]int
	cuts    [NumAccountInputs][maxCompiledCuts]float64
	steps   [NumAccountInputs][maxCompiledCuts + 1]float64
	missing [NumAccountInputs]float64
}

// compile returns m's compiled form; ok is false when an input has more
// than maxCompiledCuts cuts.
func compile(m *AccountModel) compiledModel {
	c := compiledModel{ok: true, bias: m.Bias, missing: m.Missing}
	for i := range m.Cuts {
		if len(m.Cuts[i]) > maxCompiledCuts || len(m.Steps[i]) != len(m.Cuts[i])+1 {
			return compiledModel{}
		}
		c.n[i] = len(m.Cuts[i])
		copy(c.cuts[i][:], m.Cuts[i])
		copy(c.steps[i][:], m.Steps[i])
	}
	return c
}

// logit is AccountModel.logitOnly on the compiled form, to the same bits
// (cuts ascend, so counting the cuts below x finds the same step).
func (c *compiledModel) logit(x *[NumAccountInputs]float64, known *[NumAccountInputs]bool) (z float64, n int) {
	z = c.bias
	for i := 0; i < NumAccountInputs; i++ {
		if !known[i] {
			z += c.missing[i]
			continue
		}
		n++
		k := 0
		for _, cut := range c.cuts[i][:c.n[i]] {
			if x[i] > cut {
				k++
			}
		}
		z += c.steps[i][k]
	}
	return z, n
}

// shippedCompiled is ShippedAccountModel compiled once.
var shippedCompiled = compile(&ShippedAccountModel)
