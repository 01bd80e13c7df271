"""電子申請 and 書かない窓口: online procedures and counter-assisted entry on the kernel forms engine."""
