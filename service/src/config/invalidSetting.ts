/** A configuration value that cannot be used, named by its variable; the configuration collects them all. */
export class InvalidSetting extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
    this.name = 'InvalidSetting';
  }
}
