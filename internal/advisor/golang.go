package advisor

func adviseGo(x wctx, r resources) []Advice { return nil }
func adviseProbes(x wctx) []Advice         { return nil }
func adviseImage(x wctx) []Advice          { return nil }
func adviseRestarts(x wctx) []Advice       { return nil }
func adviseDBPools(x wctx) []Advice        { return nil }
