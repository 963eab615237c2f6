"""digigov: the Guangdong Digital Government 2.0 platform."""
