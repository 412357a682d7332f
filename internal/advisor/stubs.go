package advisor

func adviseProbes(wctx) []Advice   { return nil }
func adviseImage(wctx) []Advice    { return nil }
func adviseRestarts(wctx) []Advice { return nil }
func adviseDBPools(wctx) []Advice  { return nil }
