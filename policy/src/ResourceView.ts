/** One Terraform resource or data source as the policies see it, whatever it was read from. */
export interface ResourceView {
  /** Terraform address, e.g. `azurerm_storage_account.lake` or `data.azurerm_subnet.gateway`. */
  address: string;
  type: string;
  /**
   * Attribute values. Values not known yet (references to other resources) are kept as Terraform
   * interpolations, e.g. `${azurerm_storage_account.lake.id}`, so rules can follow them.
   */
  values: Record<string, unknown>;
}

/** A broken policy, naming the resource that breaks it. */
export interface Finding {
  rule: string;
  address: string;
  message: string;
}

/** A policy: a pure function from the resources of a deployment to what breaks it. */
export interface Rule {
  id: string;
  check(resources: readonly ResourceView[]): Finding[];
}
